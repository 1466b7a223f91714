using System.Text.RegularExpressions;
using Wharf.Core;

namespace Wharf.Engine.Containers;

/// <summary>The <c>filters</c> of <c>GET /containers/json</c> (moby daemon/list.go), already decoded into key → values.</summary>
public static class ContainerFilters
{
    private static readonly HashSet<string> Accepted = new(StringComparer.Ordinal)
    {
        "ancestor", "before", "exited", "health", "id", "isolation", "is-task", "label", "name", "network",
        "publish", "since", "status", "volume", "expose",
    };

    /// <summary>Rejects unknown keys and bad values with moby's wording.</summary>
    public static void Validate(IReadOnlyDictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            if (!Accepted.Contains(key)) throw WharfException.Invalid($"invalid filter '{key}'");
            if (key == "status")
                foreach (var v in values)
                    if (!ContainerStatus.All.Contains(v)) throw WharfException.Invalid($"invalid filter 'status={v}'");
            if (key == "exited")
                foreach (var v in values)
                    if (!int.TryParse(v, out _)) throw WharfException.Invalid($"invalid filter 'exited={v}'");
            if (key == "health")
                foreach (var v in values)
                    if (v is not ("starting" or "healthy" or "unhealthy" or "none"))
                        throw WharfException.Invalid($"invalid filter 'health={v}'");
            if (key == "is-task")
                foreach (var v in values)
                    if (v is not ("true" or "false")) throw WharfException.Invalid($"invalid filter 'is-task={v}'");
        }
    }

    /// <summary>Exact match or an unanchored regular expression match (moby filters.Match).</summary>
    public static bool MatchAny(IReadOnlyList<string> patterns, params string[] sources)
    {
        foreach (var p in patterns)
        {
            foreach (var s in sources)
            {
                if (p == s) return true;
                try
                {
                    if (Regex.IsMatch(s, p, RegexOptions.None, TimeSpan.FromMilliseconds(100))) return true;
                }
                catch (ArgumentException) { }
                catch (RegexMatchTimeoutException) { }
            }
        }
        return false;
    }

    /// <summary>Every "key" or "key=value" must be satisfied (moby filters.MatchKVList).</summary>
    public static bool MatchLabels(IReadOnlyList<string> wanted, IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var w in wanted)
        {
            int i = w.IndexOf('=');
            if (labels is null) return false;
            if (i < 0)
            {
                if (!labels.ContainsKey(w)) return false;
            }
            else if (!labels.TryGetValue(w[..i], out var v) || v != w[(i + 1)..])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Matches the filters that need nothing but the record (id, name, label, status, exited,
    /// network, health, is-task). ancestor/before/since are applied by the service.</summary>
    public static bool Match(ContainerRecord c, IReadOnlyDictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            if (values.Count == 0) continue;
            switch (key)
            {
                case "id":
                    if (!MatchAny(values, c.Id)) return false;
                    break;
                case "name":
                    if (!MatchAny(values, c.Name, c.Name.TrimStart('/'))) return false;
                    break;
                case "label":
                    if (!MatchLabels(values, c.Config.Labels)) return false;
                    break;
                case "status":
                    if (!values.Contains(c.State.Status)) return false;
                    break;
                case "exited":
                    if (c.State.Status != ContainerStatus.Exited) return false;
                    if (!values.Contains(c.State.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))) return false;
                    break;
                case "network":
                    if (!c.Networks.Any(n => MatchAny(values, n.Key) || values.Contains(n.Value.NetworkID))) return false;
                    break;
                case "health":
                    // No healthchecks run yet: every container is "none".
                    if (!values.Contains("none")) return false;
                    break;
                case "is-task":
                    if (!values.Contains("false")) return false;
                    break;
                case "expose":
                    if (!values.Any(v => c.Config.ExposedPorts?.ContainsKey(v.Contains('/') ? v : v + "/tcp") == true)) return false;
                    break;
                case "publish":
                    if (!values.Any(v => c.HostConfig.PortBindings?.ContainsKey(v.Contains('/') ? v : v + "/tcp") == true)) return false;
                    break;
                case "volume":
                    if (!values.Any(v => (c.HostConfig.Binds ?? []).Any(b => b.Split(':')[0] == v || b.Split(':').ElementAtOrDefault(1) == v)
                        || (c.HostConfig.Mounts ?? []).Any(m => m.Source == v || m.Target == v))) return false;
                    break;
            }
        }
        return true;
    }
}
