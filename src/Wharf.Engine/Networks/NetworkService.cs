using System.Text.Json;
using Wharf.Core;
using Wharf.Interop;
using Wharf.Network;
using Wharf.Network.Dns;
using Wharf.Network.Ports;

namespace Wharf.Engine.Networks;

/// <summary>
/// The networks of one daemon: the predefined bridge/host/none, user-defined bridge and macvlan networks, their
/// IPAM pools, Linux bridges and nftables table, and the endpoints of running containers. Each network is a JSON
/// file in <c>&lt;dataRoot&gt;/networks</c>; pools and endpoints are rebuilt from the containers at start.
/// </summary>
public sealed partial class NetworkService
{
    private readonly string _dir;
    private readonly DefaultBridgeOptions _bridge;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly bool _manageHost;
    private readonly uint _gsoIpv4MaxSize;
    private readonly object _sync = new();
    private readonly Dictionary<string, NetworkRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IpPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ip6Pool> _pools6 = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, ActiveEndpoint>> _endpoints = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _hostGate = new(1, 1);
    private readonly EmbeddedDns _dns;
    private readonly PortAllocator _ports = new();

    /// <param name="manageHost">False in unit tests: no bridges, links or firewall rules are touched.</param>
    /// <param name="bigTcp">BIG TCP on container veths where the kernel allows it (wharfd --big-tcp, see BigTcp).</param>
    public NetworkService(string dataRoot, DefaultBridgeOptions bridge, TimeProvider time, Action<string>? log = null, bool manageHost = true,
        bool bigTcp = true)
    {
        _gsoIpv4MaxSize = bigTcp ? BigTcp.Ipv4GsoMaxSize : 0;
        _dir = Path.Combine(dataRoot, "networks");
        _bridge = bridge;
        _time = time;
        _log = log ?? (m => Console.Error.WriteLine("wharfd networks: " + m));
        _manageHost = manageHost;
        _dns = new EmbeddedDns(LookupName, _log, LookupAddress);
    }

    /// <summary>Raised after create/connect/disconnect/destroy; handlers must be quick and must not throw.</summary>
    public event Action<NetworkEvent>? Event;

    public DefaultBridgeOptions DefaultBridge => _bridge;

    /// <summary>The nftables table holding every rule of this daemon.</summary>
    public string FirewallTable => NftRuleset.TableName(_bridge.Bridge);

    private void Raise(NetworkRecord n, string action, string? containerId = null)
    {
        try { Event?.Invoke(new NetworkEvent(action, n.Id, n.Name, n.Driver, containerId)); }
        catch (Exception ex) { _log($"event handler failed: {ex.Message}"); }
    }

    /// <summary>Loads the networks, creates the predefined ones, brings every bridge up and installs the firewall
    /// table (replacing whatever an earlier run left: that is the reconciliation after a crash).</summary>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.EnumerateFiles(_dir, "*.json"))
        {
            try
            {
                var r = JsonSerializer.Deserialize(File.ReadAllBytes(file), NetworkStoreJsonContext.Default.NetworkRecord);
                if (r is not null && r.Id.Length > 0) _byId[r.Id] = r;
            }
            catch (JsonException ex) { _log($"{file}: unreadable: {ex.Message}"); }
        }
        EnsureBuiltin("bridge", "bridge");
        EnsureBuiltin("host", "host");
        EnsureBuiltin("none", "null");

        // The default bridge follows the daemon's flags on every start.
        var def = _byId.Values.First(n => n.Name == "bridge");
        def.Interface = _bridge.Bridge;
        def.Subnet = _bridge.Gateway.Canonical.ToString();
        def.Gateway = Ipv4Cidr.FormatIp(_bridge.Gateway.Address);
        def.Options = new Dictionary<string, string>
        {
            ["com.docker.network.bridge.default_bridge"] = "true",
            ["com.docker.network.bridge.enable_icc"] = "true",
            ["com.docker.network.bridge.enable_ip_masquerade"] = "true",
            ["com.docker.network.bridge.host_binding_ipv4"] = "0.0.0.0",
            ["com.docker.network.bridge.name"] = _bridge.Bridge,
            ["com.docker.network.driver.mtu"] = _bridge.Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Persist(def);

        foreach (var n in _byId.Values) CreatePool(n);
        if (!_manageHost) return;
        if (HostSysctl.EnableIpv4Forwarding()) _log("turned on net.ipv4.ip_forward (containers on bridges reach past the host)");
        foreach (var n in _byId.Values.Where(n => n.Driver == "bridge"))
        {
            try { await EnsureBridgeAsync(n).ConfigureAwait(false); }
            catch (WharfException ex) { _log($"bridge {n.Interface} of network {n.Name}: {ex.Message}"); }
        }
        await ApplyFirewallAsync().ConfigureAwait(false);
    }

    private void EnsureBuiltin(string name, string driver)
    {
        if (_byId.Values.Any(n => n.Name == name)) return;
        var r = new NetworkRecord { Id = Ids.NewId(), Name = name, Driver = driver, Created = _time.GetUtcNow() };
        _byId[r.Id] = r;
        Persist(r);
    }

    private void CreatePool(NetworkRecord n)
    {
        if (!Ipv4Cidr.TryParse(n.Subnet, out var subnet)) return;
        uint gw = Ipv4Cidr.TryParseIp(n.Gateway, out var g) ? g : subnet.Network + 1;
        Ipv4Cidr? range = Ipv4Cidr.TryParse(n.IPRange, out var rg) ? rg : null;
        lock (_sync) _pools[n.Id] = new IpPool(subnet, gw, range);
        if (!n.EnableIPv6 || !Ipv6Cidr.TryParse(n.Subnet6, out var subnet6)) return;
        UInt128 gw6 = Ipv6Cidr.TryParseIp(n.Gateway6, out var g6) ? g6 : subnet6.Network + 1;
        Ipv6Cidr? range6 = Ipv6Cidr.TryParse(n.IPRange6, out var r6) ? r6 : null;
        lock (_sync) _pools6[n.Id] = new Ip6Pool(subnet6, gw6, range6);
    }

    private void Persist(NetworkRecord r) =>
        AtomicFile.WriteAllBytes(Path.Combine(_dir, r.Id + ".json"),
            JsonSerializer.SerializeToUtf8Bytes(r, NetworkStoreJsonContext.Default.NetworkRecord));

    private async Task EnsureBridgeAsync(NetworkRecord n)
    {
        var subnet = Ipv4Cidr.Parse(n.Subnet);
        var gw = new Ipv4Cidr(Ipv4Cidr.ParseIp(n.Gateway), subnet.PrefixLength);
        Ipv6Cidr? gw6 = null;
        if (n.EnableIPv6 && Ipv6Cidr.TryParse(n.Subnet6, out var subnet6))
        {
            gw6 = new Ipv6Cidr(Ipv6Cidr.ParseIp(n.Gateway6), subnet6.PrefixLength);
            EnableIpv6Forwarding();
        }
        await LinkManager.EnsureBridgeAsync(n.Interface, gw, Mtu(n), gw6).ConfigureAwait(false);
        try { HostSysctl.EnableRouteLocalnet(n.Interface); }
        catch (IOException ex) { _log($"route_localnet on {n.Interface}: {ex.Message}"); }
    }

    /// <summary>Containers on an IPv6 network reach past the host only with net.ipv6.conf.all.forwarding on; it is
    /// turned on when the first such network is set up (not before: forwarding also stops the host from taking
    /// router advertisements) and, like dockerd, left on.</summary>
    private void EnableIpv6Forwarding()
    {
        try
        {
            if (HostSysctl.EnableIpv6Forwarding()) _log("turned on net.ipv6.conf.all.forwarding (an IPv6 network exists)");
        }
        catch (IOException ex) { _log($"net.ipv6.conf.all.forwarding: {ex.Message}"); }
    }

    private static int Mtu(NetworkRecord n) =>
        n.Options.TryGetValue("com.docker.network.driver.mtu", out var m) && int.TryParse(m, out var v) && v > 0 ? v : 1500;

    /// <summary>Rewrites this daemon's nftables table from the current networks (one atomic transaction).</summary>
    private async Task ApplyFirewallAsync()
    {
        if (!_manageHost) return;
        List<FirewallNetwork> nets;
        lock (_sync)
        {
            nets = _byId.Values.Where(n => n.Driver == "bridge" && Ipv4Cidr.TryParse(n.Subnet, out _))
                .OrderBy(n => n.Interface, StringComparer.Ordinal)
                .Select(n => new FirewallNetwork(n.Interface, Ipv4Cidr.Parse(n.Subnet), n.Internal,
                    !n.Options.TryGetValue("com.docker.network.bridge.enable_ip_masquerade", out var m) || m != "false",
                    n.EnableIPv6 && Ipv6Cidr.TryParse(n.Subnet6, out var s6) ? s6.Canonical : null))
                .ToList();
        }
        await _hostGate.WaitAsync().ConfigureAwait(false);
        try { await NftRuleset.ApplyAsync(NftRuleset.Build(FirewallTable, nets, _ports.All())).ConfigureAwait(false); }
        finally { _hostGate.Release(); }
    }

    /// <summary>Finds a network: exact id, then exact name, then unique id prefix (moby's order).</summary>
    public NetworkRecord Resolve(string idOrName)
    {
        lock (_sync)
        {
            if (_byId.TryGetValue(idOrName, out var n)) return n;
            var byName = _byId.Values.Where(x => x.Name == idOrName).ToList();
            if (byName.Count == 1) return byName[0];
            if (byName.Count > 1) throw WharfException.Invalid($"network {idOrName} is ambiguous ({byName.Count} matches found based on name)");
            if (idOrName.Length > 0)
            {
                var byPrefix = _byId.Values.Where(x => x.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
                if (byPrefix.Count == 1) return byPrefix[0];
                if (byPrefix.Count > 1) throw WharfException.Invalid($"network {idOrName} is ambiguous ({byPrefix.Count} matches found based on ID prefix)");
            }
        }
        throw WharfException.NotFound($"network {idOrName} not found");
    }

    public bool TryResolve(string idOrName, out NetworkRecord? network)
    {
        try { network = Resolve(idOrName); return true; }
        catch (WharfException ex) when (ex.Kind == ErrorKind.NotFound) { network = null; return false; }
    }
}
