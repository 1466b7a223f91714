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
    private readonly Dictionary<string, List<(PortMapping Mapping, Socket Socket)>> _byContainer = new(StringComparer.Ordinal);

    /// <summary>Claims a host port for every request (all or nothing) and returns the mappings to the container.</summary>
    public IReadOnlyList<PortMapping> Allocate(string containerId, IReadOnlyList<PortRequest> requests, uint containerIp, string bridge,
        string containerIp6 = "")
    {
        var held = new List<(PortMapping, Socket)>();
        try
        {
            lock (_sync)
            {
                foreach (var r in requests)
                {
                    var (port, socket) = Claim(r);
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
        var kept = new List<(PortMapping, Socket)>();
        lock (_sync)
        {
            foreach (var m in mappings)
            {
                try
                {
                    var (_, socket) = Claim(new PortRequest(m.Proto, m.ContainerPort, m.HostIp, m.HostPort, m.HostPort));
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
        List<(PortMapping, Socket)>? held;
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

    private (int Port, Socket Socket) Claim(PortRequest r)
    {
        if (r.HostPortLow == 0) return Bind(r, 0);
        WharfException? last = null;
        for (int p = r.HostPortLow; p <= r.HostPortHigh; p++)
        {
            if (Taken(r.Proto, r.HostIp, p)) { last = AlreadyAllocated(r.HostIp, p); continue; }
            try { return Bind(r, p); }
            catch (WharfException ex) { last = ex; }
        }
        throw last ?? AlreadyAllocated(r.HostIp, r.HostPortLow);
    }

    /// <summary>Another published port of this daemon overlaps: same protocol and port, and one of the two addresses
    /// is the wildcard or they are equal.</summary>
    private bool Taken(string proto, uint ip, int port) =>
        _byContainer.Values.Any(l => l.Any(h => h.Mapping.Proto == proto && h.Mapping.HostPort == port &&
            (h.Mapping.HostIp == 0 || ip == 0 || h.Mapping.HostIp == ip)));

    private static WharfException AlreadyAllocated(uint ip, int port) =>
        WharfException.Conflict($"Bind for {Ipv4Cidr.FormatIp(ip)}:{port} failed: port is already allocated");

    private static (int, Socket) Bind(PortRequest r, int port)
    {
        var s = r.Proto == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.Bind(new IPEndPoint(new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(r.HostIp)), port));
            // Listening makes the claim exclusive even against sockets that set SO_REUSEADDR.
            if (r.Proto != "udp") s.Listen(1);
            return (((IPEndPoint)s.LocalEndPoint!).Port, s);
        }
        catch (SocketException ex)
        {
            s.Dispose();
            if (ex.SocketErrorCode == SocketError.AddressAlreadyInUse) throw AlreadyAllocated(r.HostIp, port);
            throw WharfException.Invalid($"failed to bind host port {Ipv4Cidr.FormatIp(r.HostIp)}:{port}/{r.Proto}: {ex.Message}");
        }
    }
}
