using Wharf.Api.Networks;
using Wharf.Core;
using Wharf.Network;

namespace Wharf.Engine.Networks;

public sealed partial class NetworkService
{
    private static readonly HashSet<string> ListFilters = ["dangling", "driver", "id", "label", "name", "scope", "type"];

    /// <summary>Lists networks (<c>GET /networks</c>) with moby's filters.</summary>
    public List<NetworkResource> List(IReadOnlyDictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            if (!ListFilters.Contains(key)) throw WharfException.Invalid($"invalid filter '{key}'");
            if (key == "type")
                foreach (var v in values)
                    if (v is not ("custom" or "builtin")) throw WharfException.Invalid($"invalid filter: 'type'='{v}'");
            if (key == "dangling")
                foreach (var v in values)
                    if (v is not ("true" or "false" or "1" or "0")) throw WharfException.Invalid($"invalid filter 'dangling={v}'");
        }
        List<NetworkRecord> all;
        lock (_sync) all = [.. _byId.Values];
        var result = new List<NetworkResource>();
        foreach (var n in all.OrderBy(n => n.Created).ThenBy(n => n.Name, StringComparer.Ordinal))
        {
            if (!Matches(n, filters)) continue;
            // The list carries no Containers (moby fills them only in inspect).
            var res = ToResource(n, withContainers: false);
            result.Add(res);
        }
        return result;
    }

    private bool Matches(NetworkRecord n, IReadOnlyDictionary<string, List<string>> f)
    {
        if (f.TryGetValue("name", out var names) && names.Count > 0 && !names.Any(x => n.Name.Contains(x, StringComparison.Ordinal))) return false;
        if (f.TryGetValue("id", out var ids) && ids.Count > 0 && !ids.Any(x => n.Id.StartsWith(x, StringComparison.Ordinal))) return false;
        if (f.TryGetValue("driver", out var drivers) && drivers.Count > 0 && !drivers.Contains(n.Driver)) return false;
        if (f.TryGetValue("scope", out var scopes) && scopes.Count > 0 && !scopes.Contains("local")) return false;
        if (f.TryGetValue("label", out var labels) && !labels.All(l => LabelMatches(n.Labels, l))) return false;
        if (f.TryGetValue("type", out var types) && types.Count > 0 &&
            !types.Contains(n.IsBuiltin ? "builtin" : "custom")) return false;
        if (f.TryGetValue("dangling", out var dangling) && dangling.Count > 0)
        {
            bool want = dangling[0] is "true" or "1";
            bool isDangling;
            lock (_sync) isDangling = !n.IsBuiltin && (!_endpoints.TryGetValue(n.Id, out var e) || e.Count == 0);
            if (want != isDangling) return false;
        }
        return true;
    }

    /// <summary>Inspects a network (<c>GET /networks/{id}</c>) with the containers attached to it.</summary>
    public NetworkResource Inspect(string idOrName) => ToResource(Resolve(idOrName), withContainers: true);

    private NetworkResource ToResource(NetworkRecord n, bool withContainers)
    {
        var res = new NetworkResource
        {
            Name = n.Name,
            Id = n.Id,
            Created = Rfc3339.Format(n.Created, fractionDigits: 7, trimZeros: false),
            Scope = "local",
            Driver = n.Driver,
            EnableIPv4 = n.Driver is not ("host" or "null"),
            EnableIPv6 = n.EnableIPv6,
            Internal = n.Internal,
            Attachable = n.Attachable,
            Options = new Dictionary<string, string>(n.Options),
            Labels = new Dictionary<string, string>(n.Labels),
            IPAM = new Ipam { Driver = "default", Options = n.IsBuiltin ? null : [] },
        };
        if (n.Subnet.Length > 0)
        {
            res.IPAM.Config.Add(new IpamConfig
            {
                Subnet = n.Subnet,
                Gateway = n.Gateway,
                IPRange = n.IPRange.Length > 0 ? n.IPRange : null,
            });
        }
        if (n.EnableIPv6 && n.Subnet6.Length > 0)
        {
            res.IPAM.Config.Add(new IpamConfig
            {
                Subnet = n.Subnet6,
                Gateway = n.Gateway6,
                IPRange = n.IPRange6.Length > 0 ? n.IPRange6 : null,
            });
        }
        if (withContainers)
        {
            lock (_sync)
            {
                if (_endpoints.TryGetValue(n.Id, out var eps))
                {
                    int prefix = Ipv4Cidr.TryParse(n.Subnet, out var s) ? s.PrefixLength : 32;
                    int prefix6 = Ipv6Cidr.TryParse(n.Subnet6, out var s6) ? s6.PrefixLength : 128;
                    foreach (var (cid, ep) in eps)
                    {
                        res.Containers[cid] = new NetworkContainer
                        {
                            Name = ep.ContainerName,
                            EndpointID = ep.EndpointId,
                            MacAddress = ep.MacAddress,
                            IPv4Address = new Ipv4Cidr(ep.Address, prefix).ToString(),
                            IPv6Address = ep.Address6 is { } a6 ? new Ipv6Cidr(a6, prefix6).ToString() : "",
                        };
                    }
                }
            }
        }
        return res;
    }
}
