using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Network;
using Wharf.Network.Ports;

namespace Wharf.Engine.Networks;

public sealed partial class NetworkService
{
    /// <summary>Gives an endpoint its address (the requested --ip or the lowest free one), gateway, MAC and id, and
    /// on an IPv6 network its IPv6 address (--ip6 or the lowest free) and gateway.
    /// Networks without IPAM (host, none) only get their id.</summary>
    public void Allocate(NetworkRecord n, EndpointSettings ep)
    {
        ep.NetworkID = n.Id;
        IpPool? pool;
        Ip6Pool? pool6;
        lock (_sync)
        {
            _pools.TryGetValue(n.Id, out pool);
            _pools6.TryGetValue(n.Id, out pool6);
        }
        if (pool is null) return;
        UInt128? ip6 = null;
        if (pool6 is not null)
        {
            if (ep.IPAMConfig?.IPv6Address is { Length: > 0 } requested6)
            {
                ip6 = Ipv6Cidr.ParseIp(requested6);
                pool6.Claim(ip6.Value);
            }
            else
            {
                ip6 = pool6.Allocate();
            }
        }
        try
        {
            AllocateIpv4(pool, ep);
        }
        catch
        {
            if (ip6 is { } taken) pool6!.Release(taken);
            throw;
        }
        if (ip6 is { } a6)
        {
            ep.GlobalIPv6Address = Ipv6Cidr.FormatIp(a6);
            ep.GlobalIPv6PrefixLen = pool6!.Subnet.PrefixLength;
            ep.IPv6Gateway = Ipv6Cidr.FormatIp(pool6.Gateway);
        }
    }

    private static void AllocateIpv4(IpPool pool, EndpointSettings ep)
    {
        uint ip;
        if (ep.IPAMConfig?.IPv4Address is { Length: > 0 } requested)
        {
            ip = Ipv4Cidr.ParseIp(requested);
            pool.Claim(ip);
        }
        else
        {
            ip = pool.Allocate();
        }
        ep.EndpointID = Ids.NewId();
        ep.IPAddress = Ipv4Cidr.FormatIp(ip);
        ep.IPPrefixLen = pool.Subnet.PrefixLength;
        ep.Gateway = Ipv4Cidr.FormatIp(pool.Gateway);
        ep.MacAddress = LinkManager.MacFor(ip);
    }

    /// <summary>Plugs an allocated endpoint into the network namespace of a created or running container.</summary>
    public async Task WireAsync(NetworkRecord n, EndpointSettings ep, int pid, string containerId, string containerName, bool defaultRoute,
        bool defaultRoute6 = false)
    {
        if (n.Driver is "host" or "null" || ep.IPAddress.Length == 0) return;
        uint ip = Ipv4Cidr.ParseIp(ep.IPAddress);
        var address = new Ipv4Cidr(ip, ep.IPPrefixLen);
        uint? gw = defaultRoute && !n.Internal && Ipv4Cidr.TryParseIp(ep.Gateway, out var g) ? g : null;
        UInt128? ip6 = Ipv6Cidr.TryParseIp(ep.GlobalIPv6Address, out var a6) ? a6 : null;
        Ipv6Cidr? address6 = ip6 is { } v6 ? new Ipv6Cidr(v6, (int)ep.GlobalIPv6PrefixLen) : null;
        UInt128? gw6 = defaultRoute6 && !n.Internal && Ipv6Cidr.TryParseIp(ep.IPv6Gateway, out var g6) ? g6 : null;
        string hostIf = HostInterfaceName(n, ep);
        if (_manageHost)
        {
            var inside = LinkManager.NextContainerIfName(pid);
            if (n.Driver == "macvlan")
            {
                var mode = n.Options.TryGetValue("macvlan_mode", out var m) ? m : "bridge";
                await LinkManager.AttachMacvlanAsync(pid, n.Interface, mode, hostIf, inside, address, ep.MacAddress, gw).ConfigureAwait(false);
            }
            else
            {
                await LinkManager.AttachVethAsync(pid, n.Interface, hostIf, inside, address, ep.MacAddress, Mtu(n), gw, address6, gw6, _gsoIpv4MaxSize).ConfigureAwait(false);
            }
        }
        Register(n, ep, containerId, containerName, ip, hostIf, ip6);
        Raise(n, "connect", containerId);
    }

    private static string HostInterfaceName(NetworkRecord n, EndpointSettings ep) =>
        (n.Driver == "macvlan" ? "mv" : "veth") + ep.EndpointID[..7];

    private void Register(NetworkRecord n, EndpointSettings ep, string containerId, string containerName, uint ip, string hostIf, UInt128? ip6)
    {
        lock (_sync)
        {
            if (!_endpoints.TryGetValue(n.Id, out var map)) _endpoints[n.Id] = map = new(StringComparer.Ordinal);
            map[containerId] = new ActiveEndpoint(containerId, containerName.TrimStart('/'), ep.EndpointID, ep.MacAddress, ip, hostIf,
                ep.DNSNames is null ? [] : [.. ep.DNSNames], ip6);
        }
    }

    /// <summary>After a daemon restart: a running container's endpoint takes its address back.</summary>
    public void Readopt(string networkIdOrName, EndpointSettings ep, string containerId, string containerName)
    {
        if (!TryResolve(networkIdOrName, out var n) || n is null) return;
        if (!Ipv4Cidr.TryParseIp(ep.IPAddress, out var ip)) return;
        IpPool? pool;
        Ip6Pool? pool6;
        lock (_sync)
        {
            _pools.TryGetValue(n.Id, out pool);
            _pools6.TryGetValue(n.Id, out pool6);
        }
        pool?.MarkUsed(ip);
        UInt128? ip6 = Ipv6Cidr.TryParseIp(ep.GlobalIPv6Address, out var a6) ? a6 : null;
        if (ip6 is { } taken) pool6?.MarkUsed(taken);
        Register(n, ep, containerId, containerName, ip, HostInterfaceName(n, ep), ip6);
    }

    /// <summary>Unplugs an endpoint (if its container still runs, <paramref name="pid"/> &gt; 0) and returns its
    /// address; the endpoint fields are cleared as Docker clears them on stop.</summary>
    public async Task ReleaseAsync(string networkId, EndpointSettings ep, string containerId, int pid)
    {
        NetworkRecord? n;
        IpPool? pool;
        Ip6Pool? pool6;
        ActiveEndpoint? active = null;
        lock (_sync)
        {
            _byId.TryGetValue(networkId, out n);
            _pools.TryGetValue(networkId, out pool);
            _pools6.TryGetValue(networkId, out pool6);
            if (_endpoints.TryGetValue(networkId, out var map) && map.Remove(containerId, out var a)) active = a;
        }
        if (pid > 0 && _manageHost && n is not null && active is not null)
        {
            if (n.Driver == "macvlan")
            {
                // Find the link by its address inside the namespace is costly; the container end is named ethN and
                // deleting the whole namespace does it anyway, so only a live disconnect pays this.
                var inside = await InsideNameAsync(pid, ep.MacAddress).ConfigureAwait(false);
                if (inside is not null) await LinkManager.DeleteInsideAsync(pid, inside).ConfigureAwait(false);
            }
            else
            {
                await LinkManager.DeleteLinkAsync(active.HostInterface).ConfigureAwait(false);
            }
        }
        if (pool is not null && Ipv4Cidr.TryParseIp(ep.IPAddress, out var ip)) pool.Release(ip);
        if (pool6 is not null && Ipv6Cidr.TryParseIp(ep.GlobalIPv6Address, out var ip6)) pool6.Release(ip6);
        ep.EndpointID = "";
        ep.IPAddress = "";
        ep.IPPrefixLen = 0;
        ep.Gateway = "";
        ep.GlobalIPv6Address = "";
        ep.GlobalIPv6PrefixLen = 0;
        ep.IPv6Gateway = "";
        ep.MacAddress = "";
        if (active is not null && n is not null) Raise(n, "disconnect", containerId);
    }

    private static Task<string?> InsideNameAsync(int pid, string mac)
    {
        foreach (var name in LinkManager.LinksOf(pid))
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/root/sys/class/net/{name}/address").Trim() == mac) return Task.FromResult<string?>(name);
            }
            catch (IOException) { }
        }
        return Task.FromResult<string?>(null);
    }

    /// <summary>The active endpoints of a network (for DNS and inspect).</summary>
    public IReadOnlyList<ActiveEndpoint> EndpointsOf(string networkId)
    {
        lock (_sync) return _endpoints.TryGetValue(networkId, out var map) ? [.. map.Values] : [];
    }

    /// <summary>The addresses a name has for a container: the endpoints, on the user-defined networks that container
    /// is on, whose DNS names (container name, short id, aliases) include it (IPv4, and IPv6 on IPv6 networks);
    /// null when none has it. As in Docker, <c>name.network</c> asks only that network.</summary>
    public IReadOnlyList<System.Net.IPAddress>? LookupName(string containerId, string name)
    {
        List<System.Net.IPAddress>? found = null;
        lock (_sync)
        {
            foreach (var (n, ep) in SharedEndpointsLocked(containerId))
            {
                var suffix = "." + n.Name;
                var inNetwork = name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                    ? name[..^suffix.Length] : null;
                if (!ep.DnsNames.Any(d => string.Equals(d, name, StringComparison.OrdinalIgnoreCase) ||
                                          string.Equals(d, inNetwork, StringComparison.OrdinalIgnoreCase))) continue;
                found ??= [];
                var v4 = Ipv4Cidr.ToAddress(ep.Address);
                if (!found.Contains(v4)) found.Add(v4);
                if (ep.Address6 is { } a6 && Ipv6Cidr.ToAddress(a6) is var v6 && !found.Contains(v6)) found.Add(v6);
            }
        }
        return found;
    }

    /// <summary>The name of an address for a container's reverse lookups: <c>name.network</c> of the endpoint holding
    /// it on a user-defined network the asking container shares (Docker answers PTR queries the same way); null
    /// when no such endpoint has it, and the query goes upstream.</summary>
    public string? LookupAddress(string containerId, System.Net.IPAddress address)
    {
        bool v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        lock (_sync)
        {
            foreach (var (n, ep) in SharedEndpointsLocked(containerId))
            {
                if (v4 ? Ipv4Cidr.ToAddress(ep.Address).Equals(address) : ep.Address6 is { } a6 && Ipv6Cidr.ToAddress(a6).Equals(address))
                    return ep.ContainerName + "." + n.Name;
            }
        }
        return null;
    }

    /// <summary>Every active endpoint on the user-defined networks <paramref name="containerId"/> is on (the names its
    /// embedded DNS may answer), with its network. Under <see cref="_sync"/>.</summary>
    private IEnumerable<(NetworkRecord Network, ActiveEndpoint Endpoint)> SharedEndpointsLocked(string containerId)
    {
        foreach (var (networkId, map) in _endpoints)
        {
            if (!map.ContainsKey(containerId) || !_byId.TryGetValue(networkId, out var n) || n.IsBuiltin) continue;
            foreach (var ep in map.Values) yield return (n, ep);
        }
    }

    /// <summary>Starts the embedded DNS server inside a running container's namespace (idempotent).</summary>
    public void StartDns(string containerId, int pid, IReadOnlyList<string> upstreams)
    {
        if (!_manageHost) return;
        try { _dns.Start(containerId, pid, upstreams); }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            throw WharfException.Internal($"embedded DNS server at 127.0.0.11:53: {ex.Message}");
        }
    }

    public void StopDns(string containerId) => _dns.Stop(containerId);

    /// <summary>Publishes a container's ports: host ports claimed (all or none), then the DNAT rules installed.</summary>
    public async Task<IReadOnlyList<PortMapping>> PublishAsync(string containerId, IReadOnlyList<PortRequest> requests, uint containerIp, string bridge,
        string containerIp6 = "")
    {
        if (requests.Count == 0) return [];
        var mappings = _ports.Allocate(containerId, requests, containerIp, bridge, containerIp6);
        try { await ApplyFirewallAsync().ConfigureAwait(false); }
        catch
        {
            _ports.Release(containerId);
            throw;
        }
        return mappings;
    }

    /// <summary>Frees a container's host ports and removes their rules.</summary>
    public async Task UnpublishAsync(string containerId)
    {
        if (_ports.Release(containerId)) await ApplyFirewallAsync().ConfigureAwait(false);
    }

    /// <summary>After a daemon restart: a running container's ports are held again (rules follow in
    /// <see cref="ReconcileFirewallAsync"/>).</summary>
    public IReadOnlyList<PortMapping> ReadoptPorts(string containerId, IReadOnlyList<PortMapping> mappings) =>
        _ports.Readopt(containerId, mappings, _log);

    /// <summary>Rewrites the firewall table from the current networks and published ports.</summary>
    public Task ReconcileFirewallAsync() => ApplyFirewallAsync();
}
