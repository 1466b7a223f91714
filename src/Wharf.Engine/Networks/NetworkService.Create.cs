using Wharf.Api.Networks;
using Wharf.Core;
using Wharf.Network;

namespace Wharf.Engine.Networks;

public sealed partial class NetworkService
{
    private const string BridgeNameOption = "com.docker.network.bridge.name";

    /// <summary>Creates a network (<c>POST /networks/create</c>).</summary>
    public async Task<NetworkCreateResponse> CreateAsync(NetworkCreateRequest req)
    {
        ArgumentNullException.ThrowIfNull(req);
        if (string.IsNullOrWhiteSpace(req.Name)) throw WharfException.Invalid("network name is required");
        var driver = string.IsNullOrEmpty(req.Driver) ? "bridge" : req.Driver;
        switch (driver)
        {
            case "bridge" or "macvlan": break;
            case "host" or "null":
                throw new WharfException(ErrorKind.PermissionDenied, $"only one instance of \"{driver}\" network is allowed");
            case "overlay":
                throw WharfException.NotImplemented("overlay networks are not supported on a single host: Wharf has no swarm mode; use a bridge or macvlan network");
            default:
                throw WharfException.NotFound($"plugin \"{driver}\" not found");
        }
        if (req.IPAM?.Driver is { Length: > 0 } ipamDriver && ipamDriver != "default")
            throw WharfException.NotFound($"plugin \"{ipamDriver}\" not found");

        var options = req.Options is null ? new Dictionary<string, string>() : new Dictionary<string, string>(req.Options);
        var record = new NetworkRecord
        {
            Id = Ids.NewId(),
            Name = req.Name,
            Driver = driver,
            Created = _time.GetUtcNow(),
            Internal = req.Internal,
            Attachable = req.Attachable,
            EnableIPv6 = req.EnableIPv6 == true,
            Options = options,
            Labels = req.Labels is null ? [] : new Dictionary<string, string>(req.Labels),
        };
        var configs = req.IPAM?.Config ?? [];
        var v4 = configs.Where(c => c.Subnet is null || !c.Subnet.Contains(':')).ToList();
        if (v4.Count > 1) throw WharfException.NotImplemented("only one IPv4 subnet per network is supported");
        // As Docker: IPv6 settings of a network without EnableIPv6 are ignored.
        var v6 = record.EnableIPv6 ? configs.Where(c => c.Subnet is not null && c.Subnet.Contains(':')).ToList() : [];
        if (v6.Count > 1) throw WharfException.NotImplemented("only one IPv6 subnet per network is supported");
        if (record.EnableIPv6 && driver != "bridge")
            throw WharfException.NotImplemented("IPv6 is supported on bridge networks only");
        if (record.EnableIPv6 && _manageHost && !HostSysctl.Ipv6Available())
            throw WharfException.Invalid("cannot create an IPv6 network: IPv6 is disabled in this host's kernel (no /proc/sys/net/ipv6)");

        bool created = false;
        lock (_sync)
        {
            if (_byId.Values.Any(n => n.Name == req.Name))
                throw WharfException.Conflict($"network with name {req.Name} already exists");
            var taken = _byId.Values.Where(n => Ipv4Cidr.TryParse(n.Subnet, out _)).Select(n => Ipv4Cidr.Parse(n.Subnet)).ToList();
            var cfg = v4.FirstOrDefault();
            Ipv4Cidr subnet;
            if (cfg?.Subnet is { Length: > 0 } s)
            {
                subnet = Ipv4Cidr.Parse(s).Canonical;
                if (driver == "bridge" && taken.Any(t => t.Overlaps(subnet)))
                    throw new WharfException(ErrorKind.PermissionDenied, "invalid pool request: Pool overlaps with other one on this address space");
                record.UserSubnet = true;
            }
            else
            {
                if (cfg?.IPRange is { Length: > 0 } || cfg?.Gateway is { Length: > 0 })
                    throw WharfException.Invalid("no matching subnet for range or gateway: a subnet must be given");
                subnet = SubnetPicker.Pick(taken);
            }
            var (gw, range) = IpCidr.GatewayAndRange<Ipv4Cidr, uint>(subnet, cfg?.Gateway, cfg?.IPRange);
            record.Subnet = subnet.ToString();
            record.Gateway = Ipv4Cidr.FormatIp(gw);
            if (range is { } r) record.IPRange = r.ToString();

            if (record.EnableIPv6) AssignIpv6(record, v6.FirstOrDefault());

            if (driver == "bridge")
            {
                record.Interface = options.TryGetValue(BridgeNameOption, out var bn) && bn.Length > 0 ? bn : "br-" + record.Id[..12];
                if (record.Interface.Length > 15) throw WharfException.Invalid($"bridge name {record.Interface} is longer than 15 characters");
                if (_byId.Values.Any(n => n.Interface == record.Interface && n.Driver == "bridge"))
                    throw WharfException.Conflict($"bridge name {record.Interface} is already used by another network");
            }
            else
            {
                record.Interface = options.TryGetValue("parent", out var parent) ? parent : "";
                if (record.Interface.Length == 0) throw WharfException.Invalid("macvlan networks need a parent interface: -o parent=<link>");
                var mode = options.TryGetValue("macvlan_mode", out var m) ? m : "bridge";
                if (mode is not ("bridge" or "private" or "vepa" or "passthru"))
                    throw WharfException.Invalid($"requested macvlan mode '{mode}' is not valid, 'bridge' mode is the macvlan driver default");
            }
            _byId[record.Id] = record;
            created = true;
        }
        try
        {
            if (_manageHost && driver == "bridge") await EnsureBridgeAsync(record).ConfigureAwait(false);
            if (_manageHost && driver == "macvlan" && !LinkManager.Exists(record.Interface))
                throw WharfException.Invalid($"-o parent interface was not found on the host: {record.Interface}");
            Persist(record);
            CreatePool(record);
            await ApplyFirewallAsync().ConfigureAwait(false);
        }
        catch
        {
            if (created)
            {
                lock (_sync) _byId.Remove(record.Id);
                if (_manageHost && driver == "bridge") await LinkManager.DeleteLinkAsync(record.Interface).ConfigureAwait(false);
                File.Delete(Path.Combine(_dir, record.Id + ".json"));
            }
            throw;
        }
        Raise(record, "create");
        return new NetworkCreateResponse { Id = record.Id, Warning = "" };
    }

    /// <summary>The IPv6 subnet, gateway and range of an --ipv6 network (under <see cref="_sync"/>): the given
    /// --subnet (refused if it overlaps another network's) or a unique local /64 of its own.</summary>
    private void AssignIpv6(NetworkRecord record, IpamConfig? cfg)
    {
        var taken = _byId.Values.Where(n => Ipv6Cidr.TryParse(n.Subnet6, out _)).Select(n => Ipv6Cidr.Parse(n.Subnet6)).ToList();
        Ipv6Cidr subnet;
        if (cfg?.Subnet is { Length: > 0 } s)
        {
            subnet = Ipv6Cidr.Parse(s).Canonical;
            if (subnet.PrefixLength > 126) throw WharfException.Invalid($"invalid subnet {s}: the prefix must leave room for a gateway and an address");
            if (taken.Any(t => t.Overlaps(subnet)))
                throw new WharfException(ErrorKind.PermissionDenied, "invalid pool request: Pool overlaps with other one on this address space");
            record.UserSubnet6 = true;
        }
        else
        {
            subnet = SubnetPicker.PickIpv6(record.Id, taken);
        }
        var (gw, range) = IpCidr.GatewayAndRange<Ipv6Cidr, UInt128>(subnet, cfg?.Gateway, cfg?.IPRange);
        record.Subnet6 = subnet.ToString();
        record.Gateway6 = Ipv6Cidr.FormatIp(gw);
        if (range is { } r) record.IPRange6 = r.ToString();
    }

    /// <summary>Removes a network (<c>DELETE /networks/{id}</c>); refused for predefined networks and while in use.</summary>
    public async Task RemoveAsync(string idOrName)
    {
        var n = Resolve(idOrName);
        lock (_sync)
        {
            if (n.IsBuiltin)
                throw new WharfException(ErrorKind.PermissionDenied, $"{n.Name} is a pre-defined network and cannot be removed");
            if (_endpoints.TryGetValue(n.Id, out var eps) && eps.Count > 0)
                throw new WharfException(ErrorKind.PermissionDenied, $"error while removing network: network {n.Name} id {n.Id} has active endpoints");
            _byId.Remove(n.Id);
            _pools.Remove(n.Id);
            _pools6.Remove(n.Id);
            _endpoints.Remove(n.Id);
        }
        File.Delete(Path.Combine(_dir, n.Id + ".json"));
        if (_manageHost && n.Driver == "bridge")
        {
            await ApplyFirewallAsync().ConfigureAwait(false);
            await LinkManager.DeleteLinkAsync(n.Interface).ConfigureAwait(false);
        }
        Raise(n, "destroy");
    }

    /// <summary>Removes every unused user-defined network (<c>POST /networks/prune</c>; filters until, label, label!).</summary>
    public async Task<NetworkPruneResponse> PruneAsync(IReadOnlyDictionary<string, List<string>> filters)
    {
        foreach (var key in filters.Keys)
            if (key is not ("until" or "label" or "label!")) throw WharfException.Invalid($"invalid filter '{key}'");
        DateTimeOffset? until = null;
        if (filters.TryGetValue("until", out var u) && u.Count > 0) until = ParseUntil(u[0]);
        List<NetworkRecord> candidates;
        lock (_sync)
        {
            candidates = _byId.Values.Where(n => !n.IsBuiltin && (!_endpoints.TryGetValue(n.Id, out var e) || e.Count == 0)).ToList();
        }
        var deleted = new List<string>();
        foreach (var n in candidates)
        {
            if (until is { } t && n.Created >= t) continue;
            if (filters.TryGetValue("label", out var labels) && !labels.All(l => LabelMatches(n.Labels, l))) continue;
            if (filters.TryGetValue("label!", out var notLabels) && notLabels.Any(l => LabelMatches(n.Labels, l))) continue;
            try
            {
                await RemoveAsync(n.Id).ConfigureAwait(false);
                deleted.Add(n.Name);
            }
            catch (WharfException) { }
        }
        return new NetworkPruneResponse { NetworksDeleted = deleted };
    }

    private DateTimeOffset ParseUntil(string value)
    {
        if (long.TryParse(value, out var secs)) return DateTimeOffset.FromUnixTimeSeconds(secs);
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
        if (TryParseDuration(value, out var d)) return _time.GetUtcNow() - d;
        throw WharfException.Invalid($"invalid filter 'until={value}'");
    }

    private static bool TryParseDuration(string s, out TimeSpan d)
    {
        d = default;
        if (s.Length < 2) return false;
        if (!double.TryParse(s[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)) return false;
        switch (s[^1])
        {
            case 's': d = TimeSpan.FromSeconds(v); return true;
            case 'm': d = TimeSpan.FromMinutes(v); return true;
            case 'h': d = TimeSpan.FromHours(v); return true;
            default: return false;
        }
    }

    internal static bool LabelMatches(IReadOnlyDictionary<string, string> labels, string filter)
    {
        int eq = filter.IndexOf('=');
        if (eq < 0) return labels.ContainsKey(filter);
        return labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    /// <summary>Deletes this daemon's firewall table and every bridge it made (used when tearing a daemon down).</summary>
    public async Task RemoveHostStateAsync()
    {
        if (!_manageHost) return;
        await NftRuleset.DeleteAsync(FirewallTable).ConfigureAwait(false);
        List<string> bridges;
        lock (_sync) bridges = _byId.Values.Where(n => n.Driver == "bridge").Select(n => n.Interface).ToList();
        foreach (var b in bridges) await LinkManager.DeleteLinkAsync(b).ConfigureAwait(false);
    }
}
