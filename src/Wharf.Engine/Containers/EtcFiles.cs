using System.Text;

namespace Wharf.Engine.Containers;

/// <summary>Writes a container's /etc/hostname, /etc/hosts and /etc/resolv.conf (bound in by the spec).</summary>
internal static class EtcFiles
{
    private const string HostsHeader =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    public static void Write(ContainerRecord r, string hostnamePath, string hostsPath, string resolvPath)
    {
        bool hostNet = r.HostConfig.NetworkMode == "host";
        // Plain writes: these files are regenerated at every start, so durability buys nothing.
        File.WriteAllText(hostnamePath, r.Config.Hostname + "\n");

        var hosts = new StringBuilder();
        if (hostNet && TryRead("/etc/hosts") is { } hostHosts)
        {
            hosts.Append(hostHosts);
            if (hostHosts.Length > 0 && hostHosts[^1] != '\n') hosts.Append('\n');
        }
        else
        {
            hosts.Append(HostsHeader);
        }
        foreach (var extra in r.HostConfig.ExtraHosts ?? [])
        {
            // "name:ip" (ip may be IPv6 and contain ':'); "host-gateway" needs a bridge we do not have yet.
            int i = extra.IndexOf(':');
            if (i <= 0) continue;
            var ip = extra[(i + 1)..];
            if (ip == "host-gateway") continue;
            hosts.Append(ip).Append('\t').Append(extra[..i]).Append('\n');
        }
        foreach (var ep in r.Networks.Values)
        {
            if (!string.IsNullOrEmpty(ep.IPAddress))
                hosts.Append(ep.IPAddress).Append('\t').Append(r.Config.Hostname).Append('\n');
        }
        File.WriteAllText(hostsPath, hosts.ToString());
        File.WriteAllText(resolvPath, ResolvConf(TryRead("/etc/resolv.conf") ?? "", hostNet, r.HostConfig.Dns, r.HostConfig.DnsSearch, r.HostConfig.DnsOptions));
    }

    /// <summary>The container's resolv.conf from the host's: loopback nameservers are unreachable from a
    /// private network namespace, so they are dropped there; --dns/--dns-search/--dns-option replace.</summary>
    public static string ResolvConf(string host, bool hostNetwork, IReadOnlyList<string>? dns, IReadOnlyList<string>? search, IReadOnlyList<string>? options)
    {
        var nameservers = new List<string>();
        var searches = new List<string>();
        var opts = new List<string>();
        var other = new List<string>();
        foreach (var raw in host.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "nameserver" when fields.Length > 1:
                    if (hostNetwork || !IsLoopback(fields[1])) nameservers.Add(fields[1]);
                    break;
                case "search" or "domain":
                    searches.Clear();
                    searches.AddRange(fields.Skip(1));
                    break;
                case "options":
                    opts.AddRange(fields.Skip(1));
                    break;
                default:
                    other.Add(line);
                    break;
            }
        }
        if (dns is { Count: > 0 }) nameservers = [.. dns];
        if (search is { Count: > 0 }) searches = search.Where(s => s != ".").ToList();
        if (options is { Count: > 0 }) opts = [.. options];

        var sb = new StringBuilder();
        foreach (var ns in nameservers) sb.Append("nameserver ").Append(ns).Append('\n');
        if (searches.Count > 0) sb.Append("search ").Append(string.Join(' ', searches)).Append('\n');
        if (opts.Count > 0) sb.Append("options ").Append(string.Join(' ', opts)).Append('\n');
        foreach (var o in other) sb.Append(o).Append('\n');
        return sb.ToString();
    }

    private static bool IsLoopback(string address) =>
        address.StartsWith("127.", StringComparison.Ordinal) || address == "::1";

    private static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
