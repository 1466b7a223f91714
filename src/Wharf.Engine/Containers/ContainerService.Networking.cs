using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Networks;
using Wharf.Network;
using Wharf.Network.Dns;
using Wharf.Network.Ports;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>The daemon's networks. Without it (unit tests) a bridge container keeps a loopback-only namespace.</summary>
    public NetworkService? Networks { get; set; }

    /// <summary>The endpoints of a new container, keyed by network name: its NetworkMode network plus any other
    /// network of NetworkingConfig (API 1.44+), each validated as Docker validates them.</summary>
    private Dictionary<string, EndpointSettings> BuildNetworks(HostConfig hc, NetworkingConfig? nc)
    {
        var mode = hc.NetworkMode;
        var eps = nc?.EndpointsConfig ?? [];
        var result = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        if (Networks is null)
        {
            if (mode is not ("bridge" or "host" or "none")) throw WharfException.NotFound($"network {mode} not found");
            if (!eps.TryGetValue(mode, out var only)) eps.TryGetValue("default", out only);
            result[mode] = only ?? new EndpointSettings();
            return result;
        }

        var primary = Networks.Resolve(mode);
        // The CLI sends the default network's endpoint under "default"; Docker moves it to the real name.
        EndpointSettings? ep = null;
        foreach (var key in new[] { mode, primary.Name, primary.Id, "default" })
            if (eps.TryGetValue(key, out ep)) break;
        result[primary.Name] = Validated(primary, ep ?? new EndpointSettings());
        if (primary.Driver is "host" or "null") return result;
        foreach (var (key, other) in eps)
        {
            if (key == "default" || key == mode) continue;
            var n = Networks.Resolve(key);
            if (n.Driver is "host" or "null")
                throw WharfException.Invalid("container cannot be connected to network " + n.Name + " together with other networks");
            result.TryAdd(n.Name, Validated(n, other));
        }
        return result;
    }

    private static EndpointSettings Validated(NetworkRecord n, EndpointSettings ep)
    {
        ep.NetworkID = n.Id;
        bool userDefined = !n.IsBuiltin;
        if (ep.IPAMConfig?.IPv4Address is { Length: > 0 } && (!userDefined || !n.UserSubnet))
            throw WharfException.Invalid("user specified IP address is supported only when connecting to networks with user configured subnets");
        if (ep.IPAMConfig?.IPv6Address is { Length: > 0 } ip6)
        {
            if (!userDefined || !n.EnableIPv6 || !n.UserSubnet6)
                throw WharfException.Invalid("user specified IP address is supported only when connecting to networks with user configured subnets");
            if (!Ipv6Cidr.TryParseIp(ip6, out _)) throw WharfException.Invalid($"invalid IPv6 address: {ip6}");
        }
        if (ep.Aliases is { Count: > 0 } && !userDefined)
            throw WharfException.Invalid("network-scoped alias is supported only for containers in user defined networks");
        return ep;
    }

    /// <summary>Before the runtime creates the container: addresses for every endpoint (so /etc/hosts has them).</summary>
    private void AllocateEndpoints(ContainerEntry e)
    {
        if (Networks is null) return;
        var r = e.Record;
        var done = new List<EndpointSettings>();
        try
        {
            foreach (var (name, ep) in r.Networks)
            {
                var n = Networks.Resolve(ep.NetworkID.Length > 0 ? ep.NetworkID : name);
                lock (e.Sync)
                {
                    Networks.Allocate(n, ep);
                    ep.DNSNames = n.IsBuiltin ? null : DnsNamesOf(r, ep);
                }
                done.Add(ep);
            }
        }
        catch (WharfException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            foreach (var ep in done) _ = Networks.ReleaseAsync(ep.NetworkID, ep, r.Id, 0);
            throw WharfException.NotFound("failed to set up container networking: " + ex.Message);
        }
        catch
        {
            foreach (var ep in done) _ = Networks.ReleaseAsync(ep.NetworkID, ep, r.Id, 0);
            throw;
        }
    }

    private static List<string> DnsNamesOf(ContainerRecord r, EndpointSettings ep)
    {
        var names = new List<string> { r.Name.TrimStart('/'), r.Id[..12] };
        foreach (var a in ep.Aliases ?? []) if (!names.Contains(a)) names.Add(a);
        return names;
    }

    /// <summary>After the runtime created the container (its namespace exists, its process waits): plug every
    /// endpoint in. The first network with a gateway gives the default route, the first IPv6 one the IPv6 default route.</summary>
    private async Task WireEndpointsAsync(ContainerEntry e, int pid)
    {
        if (Networks is null) return;
        var r = e.Record;
        bool routed = false, routed6 = false;
        foreach (var (name, ep) in r.Networks.ToList())
        {
            var n = Networks.Resolve(ep.NetworkID);
            bool route = !routed && !n.Internal && n.Driver is "bridge" or "macvlan";
            bool route6 = !routed6 && !n.Internal && ep.IPv6Gateway.Length > 0;
            await Networks.WireAsync(n, ep, pid, r.Id, r.Name, route, route6).ConfigureAwait(false);
            routed |= route;
            routed6 |= route6;
        }
        StartDns(r, pid);
        await PublishPortsAsync(e).ConfigureAwait(false);
    }

    /// <summary>At create, as Docker: a malformed -p is refused (400) and every published port is also exposed.</summary>
    private static void ExposePublishedPorts(ContainerConfig config, HostConfig hc)
    {
        foreach (var r in PortRequestsOf(config, hc)) (config.ExposedPorts ??= []).TryAdd(r.Key, EmptyObject.Instance);
    }

    private static List<PortRequest> PortRequestsOf(ContainerConfig config, HostConfig hc) =>
        PortRequest.FromConfig(hc.PortBindings?.ToDictionary(kv => kv.Key, kv => kv.Value?.Select(b => (b.HostIp, b.HostPort)).ToList()),
            config.ExposedPorts?.Keys, hc.PublishAllPorts);

    /// <summary>-p and -P: host ports claimed and DNATed to the container's address on its primary network.</summary>
    private async Task PublishPortsAsync(ContainerEntry e)
    {
        if (Networks is null) return;
        var r = e.Record;
        if (r.HostConfig.NetworkMode is "host" or "none") return;
        var requests = PortRequestsOf(r.Config, r.HostConfig);
        if (requests.Count == 0) return;
        var (ep, n) = r.Networks.Values.Where(x => x.IPAddress.Length > 0).Select(x => (x, Networks.Resolve(x.NetworkID)))
            .FirstOrDefault(p => p.Item2.Driver == "bridge");
        if (ep is null) return;
        try
        {
            var mappings = await Networks.PublishAsync(r.Id, requests, Ipv4Cidr.ParseIp(ep.IPAddress), n.Interface, ep.GlobalIPv6Address).ConfigureAwait(false);
            lock (e.Sync) r.PublishedPorts = [.. mappings];
        }
        catch (WharfException ex) when (ex.Kind is ErrorKind.Conflict or ErrorKind.InvalidArgument)
        {
            // Docker's wording; the CLI prints it after "Error response from daemon:".
            throw WharfException.Internal($"driver failed programming external connectivity on endpoint {r.Name.TrimStart('/')} ({ep.EndpointID}): {ex.Message}");
        }
    }

    private void WriteEtcFiles(ContainerRecord r) =>
        EtcFiles.Write(r, HostnamePath(r.Id), HostsPath(r.Id), ResolvConfPath(r.Id),
            Networks is null ? null : Ipv4Cidr.FormatIp(Networks.DefaultBridge.Gateway.Address));

    /// <summary>The embedded DNS server of a container on a user-defined network, forwarding to --dns or the
    /// host's nameservers.</summary>
    private void StartDns(ContainerRecord r, int pid)
    {
        if (Networks is null || pid <= 0 || !EtcFiles.UsesEmbeddedDns(r)) return;
        Networks.StartDns(r.Id, pid, ResolvConf.Upstreams(EtcFiles.HostResolvConf(), r.HostConfig.Dns));
    }

    /// <summary>When a run ends (or failed to start): addresses go back to their pools. The links die with the namespace.</summary>
    private async Task ReleaseEndpointsAsync(ContainerEntry e)
    {
        if (Networks is null) return;
        Networks.StopDns(e.Record.Id);
        try { await Networks.UnpublishAsync(e.Record.Id).ConfigureAwait(false); }
        catch (WharfException ex) { _log($"unpublish ports of {e.Record.Id}: {ex.Message}"); }
        lock (e.Sync) e.Record.PublishedPorts = null;
        foreach (var ep in e.Record.Networks.Values.ToList())
        {
            if (ep.NetworkID.Length == 0) continue;
            try { await Networks.ReleaseAsync(ep.NetworkID, ep, e.Record.Id, 0).ConfigureAwait(false); }
            catch (WharfException ex) { _log($"release endpoint of {e.Record.Id}: {ex.Message}"); }
        }
    }

    private void ReadoptEndpoints(ContainerEntry e)
    {
        if (Networks is null) return;
        foreach (var (name, ep) in e.Record.Networks)
            Networks.Readopt(ep.NetworkID.Length > 0 ? ep.NetworkID : name, ep, e.Record.Id, e.Record.Name);
        if (e.Record.PublishedPorts is { Count: > 0 } published)
            e.Record.PublishedPorts = [.. Networks.ReadoptPorts(e.Record.Id, published)];
        try { StartDns(e.Record, e.Record.State.Pid); }
        catch (WharfException ex) { _log($"embedded DNS of {e.Record.Id}: {ex.Message}"); }
    }

    /// <summary>Connects a created or running container to a network (<c>POST /networks/{id}/connect</c>).</summary>
    public async Task ConnectAsync(string network, string idOrName, EndpointSettings? config, CancellationToken cancellationToken = default)
    {
        if (Networks is null) throw WharfException.NotImplemented("networks are not available");
        var n = Networks.Resolve(network);
        var e = Lookup(idOrName);
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var r = e.Record;
            if (r.HostConfig.NetworkMode is "host" or "none" || n.Driver is "host" or "null")
                throw new WharfException(ErrorKind.PermissionDenied, "container cannot be disconnected from host network or connected to host network");
            var ep = Validated(n, config ?? new EndpointSettings());
            bool running;
            int pid;
            lock (e.Sync)
            {
                if (r.Networks.ContainsKey(n.Name))
                    throw new WharfException(ErrorKind.PermissionDenied, $"endpoint with name {r.Name.TrimStart('/')} already exists in network {n.Name}");
                running = r.State.IsRunning;
                pid = r.State.Pid;
            }
            if (running)
            {
                lock (e.Sync)
                {
                    Networks.Allocate(n, ep);
                    ep.DNSNames = n.IsBuiltin ? null : DnsNamesOf(r, ep);
                }
                try
                {
                    bool route = !r.Networks.Values.Any(x => x.Gateway.Length > 0) && !n.Internal;
                    bool route6 = !r.Networks.Values.Any(x => x.IPv6Gateway.Length > 0) && !n.Internal;
                    await Networks.WireAsync(n, ep, pid, r.Id, r.Name, route, route6).ConfigureAwait(false);
                }
                catch
                {
                    await Networks.ReleaseAsync(n.Id, ep, r.Id, 0).ConfigureAwait(false);
                    throw;
                }
            }
            lock (e.Sync) r.Networks[n.Name] = ep;
            if (running)
            {
                WriteEtcFiles(r);
                StartDns(r, pid);
            }
            PersistQuietly(e);
        }
        finally
        {
            e.Gate.Release();
        }
    }

    /// <summary>Disconnects a container from a network (<c>POST /networks/{id}/disconnect</c>).</summary>
    public async Task DisconnectAsync(string network, string idOrName, bool force, CancellationToken cancellationToken = default)
    {
        if (Networks is null) throw WharfException.NotImplemented("networks are not available");
        _ = force;
        var n = Networks.Resolve(network);
        var e = Lookup(idOrName);
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var r = e.Record;
            if (n.Driver is "host")
                throw new WharfException(ErrorKind.PermissionDenied, "container cannot be disconnected from host network or connected to host network");
            EndpointSettings? ep;
            int pid;
            lock (e.Sync)
            {
                var key = r.Networks.FirstOrDefault(kv => kv.Key == n.Name || kv.Value.NetworkID == n.Id).Key;
                if (key is null || !r.Networks.Remove(key, out ep))
                    throw new WharfException(ErrorKind.PermissionDenied, $"container {r.Id} is not connected to network {n.Name}");
                pid = r.State.IsRunning ? r.State.Pid : 0;
            }
            await Networks.ReleaseAsync(n.Id, ep, r.Id, pid).ConfigureAwait(false);
            PersistQuietly(e);
        }
        finally
        {
            e.Gate.Release();
        }
    }

    /// <summary>The deprecated top-level fields of NetworkSettings mirror the default bridge endpoint, as in Docker.</summary>
    private static NetworkSettings WithDefaultBridge(NetworkSettings ns)
    {
        if (ns.Networks is not null && ns.Networks.TryGetValue("bridge", out var ep))
        {
            ns.EndpointID = ep.EndpointID;
            ns.Gateway = ep.Gateway;
            ns.IPAddress = ep.IPAddress;
            ns.IPPrefixLen = ep.IPPrefixLen;
            ns.MacAddress = ep.MacAddress;
        }
        return ns;
    }
}
