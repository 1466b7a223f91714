using System.Net;
using System.Net.Sockets;
using Wharf.Core;

namespace Wharf.Network.Ports;

/// <summary>
/// The host ports held for published container ports. Each is held by a socket bound on the host address (listening
/// for TCP), so no other program can take it while the container runs and a second claim fails with Docker's
/// "port is already allocated". The DNAT rules send the traffic to the container before any of these sockets sees it.
/// </summary>
public sealed class PortAllocator : IDisposable
{
    private readonly object _sync = new();
    private readonly Dictionary<string, List<(PortMapping Mapping, Held Socket)>> _byContainer = new(StringComparer.Ordinal);

    /// <summary>The socket(s) holding one host port: the IPv4 one, and for a binding on every address of a container
    /// with an IPv6 address also [::]:port (IPv6 only), since that port is DNATed from the host's IPv6 addresses.</summary>
    private sealed class Held(Socket v4, Socket? v6) : IDisposable
    {
        public void Dispose()
        {
            v4.Dispose();
            v6?.Dispose();
        }
    }

    /// <summary>Claims a host port for every request (all or nothing) and returns the mappings to the container.</summary>
    public IReadOnlyList<PortMapping> Allocate(string containerId, IReadOnlyList<PortRequest> requests, uint containerIp, string bridge,
        string containerIp6 = "")
    {
        var held = new List<(PortMapping, Held)>();
        try
        {
            lock (_sync)
            {
                foreach (var r in requests)
                {
                    var (port, socket) = Claim(r, containerIp6.Length > 0);
                    held.Add((new PortMapping(r.Proto, r.HostIp, port, containerIp, r.ContainerPort, bridge, containerIp6), socket));
                }
                if (_byContainer.TryGetValue(containerId, out var existing)) existing.AddRange(held);
                else _byContainer[containerId] = held;
            }
        }
        catch
        {
            foreach (var (_, s) in held) s.Dispose();
            throw;
        }
        return held.Select(h => h.Item1).ToList();
    }

    /// <summary>Takes mappings back after a daemon restart (the container kept running); a port someone else took
    /// meanwhile is logged by the caller and dropped.</summary>
    public IReadOnlyList<PortMapping> Readopt(string containerId, IReadOnlyList<PortMapping> mappings, Action<string> log)
    {
        var kept = new List<(PortMapping, Held)>();
        lock (_sync)
        {
            foreach (var m in mappings)
            {
                try
                {
                    var (_, socket) = Claim(new PortRequest(m.Proto, m.ContainerPort, m.HostIp, m.HostPort, m.HostPort), m.ContainerIp6.Length > 0);
                    kept.Add((m, socket));
                }
                catch (WharfException ex) { log($"published port {m.HostIpText}:{m.HostPort}/{m.Proto} of {containerId}: {ex.Message}"); }
            }
            _byContainer[containerId] = kept;
        }
        return kept.Select(k => k.Item1).ToList();
    }

    public bool Release(string containerId)
    {
        List<(PortMapping, Held)>? held;
        lock (_sync) _byContainer.Remove(containerId, out held);
        foreach (var (_, s) in held ?? []) s.Dispose();
        return held is { Count: > 0 };
    }

    public IReadOnlyList<PortMapping> All()
    {
        lock (_sync) return _byContainer.Values.SelectMany(l => l.Select(h => h.Mapping)).ToList();
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var l in _byContainer.Values)
                foreach (var (_, s) in l) s.Dispose();
            _byContainer.Clear();
        }
    }

    /// <param name="ipv6">The container has an IPv6 address: a binding on every address is held on [::] too (see
    /// <see cref="PortMapping.AlsoIpv6"/>).</param>
    private (int Port, Held Socket) Claim(PortRequest r, bool ipv6)
    {
        bool both = ipv6 && r.HostIp == 0;
        if (r.HostPortLow == 0)
        {
            // An ephemeral port free on IPv4 may be taken on IPv6: try a few.
            for (int attempt = 0; ; attempt++)
            {
                var (port, v4) = Bind(r, 0);
                if (!both) return (port, new Held(v4, null));
                try { return (port, new Held(v4, Bind6(r, port))); }
                catch (WharfException) when (attempt < 8) { v4.Dispose(); }
                catch { v4.Dispose(); throw; }
            }
        }
        WharfException? last = null;
        for (int p = r.HostPortLow; p <= r.HostPortHigh; p++)
        {
            if (Taken(r.Proto, r.HostIp, p)) { last = AlreadyAllocated(Ipv4Cidr.FormatIp(r.HostIp), p); continue; }
            Socket? v4 = null;
            try
            {
                v4 = Bind(r, p).Item2;
                return (p, new Held(v4, both ? Bind6(r, p) : null));
            }
            catch (WharfException ex)
            {
                v4?.Dispose();
                last = ex;
            }
        }
        throw last ?? AlreadyAllocated(Ipv4Cidr.FormatIp(r.HostIp), r.HostPortLow);
    }

    private static Socket Bind6(PortRequest r, int port) => Hold(r.Proto, IPAddress.IPv6Any, port, "[::]");

    /// <summary>Another published port of this daemon overlaps: same protocol and port, and one of the two addresses
    /// is the wildcard or they are equal.</summary>
    private bool Taken(string proto, uint ip, int port) =>
        _byContainer.Values.Any(l => l.Any(h => h.Mapping.Proto == proto && h.Mapping.HostPort == port &&
            (h.Mapping.HostIp == 0 || ip == 0 || h.Mapping.HostIp == ip)));

    private static WharfException AlreadyAllocated(string shownAddress, int port) =>
        WharfException.Conflict($"Bind for {shownAddress}:{port} failed: port is already allocated");

    private static (int, Socket) Bind(PortRequest r, int port)
    {
        var s = Hold(r.Proto, new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(r.HostIp)), port, Ipv4Cidr.FormatIp(r.HostIp));
        return (((IPEndPoint)s.LocalEndPoint!).Port, s);
    }

    /// <summary>A socket bound on <paramref name="address"/>:<paramref name="port"/> (0: any free port), listening for
    /// TCP; an IPv6 one is IPv6-only so it does not collide with the IPv4 one of the same port.</summary>
    private static Socket Hold(string proto, IPAddress address, int port, string shown)
    {
        var s = proto == "udp"
            ? new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
            s.Bind(new IPEndPoint(address, port));
            // Listening makes the claim exclusive even against sockets that set SO_REUSEADDR.
            if (proto != "udp") s.Listen(1);
            return s;
        }
        catch (SocketException ex)
        {
            s.Dispose();
            if (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
                throw AlreadyAllocated(shown, port);
            throw WharfException.Invalid($"failed to bind host port {shown}:{port}/{proto}: {ex.Message}");
        }
    }
}
