using System.Text;
using Wharf.Network.Dns;

namespace Wharf.Engine.Containers;

/// <summary>Writes a container's /etc/hostname, /etc/hosts and /etc/resolv.conf (bound in by the spec).</summary>
internal static class EtcFiles
{
    private const string HostsHeader =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    /// <param name="hostGateway">What --add-host name:host-gateway maps to: the default bridge's address.</param>
    public static void Write(ContainerRecord r, string hostnamePath, string hostsPath, string resolvPath, string? hostGateway)
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
            // "name:ip" (ip may be IPv6 and contain ':'; API clients may also send "name=ip").
            int i = extra.IndexOfAny([':', '=']);
            if (i <= 0) continue;
            var ip = extra[(i + 1)..];
            if (ip == "host-gateway")
            {
                if (hostGateway is null) continue;
                ip = hostGateway;
            }
            hosts.Append(ip).Append('\t').Append(extra[..i]).Append('\n');
        }
        foreach (var ep in r.Networks.Values)
        {
            // Docker writes the IPv4 then the IPv6 address of each endpoint, both with the container's hostname.
            if (!string.IsNullOrEmpty(ep.IPAddress))
                hosts.Append(ep.IPAddress).Append('\t').Append(r.Config.Hostname).Append('\n');
            if (!string.IsNullOrEmpty(ep.GlobalIPv6Address))
                hosts.Append(ep.GlobalIPv6Address).Append('\t').Append(r.Config.Hostname).Append('\n');
        }
        File.WriteAllText(hostsPath, hosts.ToString());
        File.WriteAllText(resolvPath, ResolvConfFor(r, HostResolvConf()));
    }

    /// <summary>The container's resolv.conf (see <see cref="ResolvConf"/>): the embedded resolver on user-defined
    /// networks, a copy of the host's without loopback servers on the default bridge, the host's own with host networking.</summary>
    public static string ResolvConfFor(ContainerRecord r, string hostResolvConf)
    {
        var mode = r.HostConfig.NetworkMode == "host" ? ResolvConf.Mode.Host
            : UsesEmbeddedDns(r) ? ResolvConf.Mode.Internal : ResolvConf.Mode.Legacy;
        return ResolvConf.Generate(hostResolvConf, mode, r.HostConfig.Dns, r.HostConfig.DnsSearch, r.HostConfig.DnsOptions);
    }

    /// <summary>Containers with an endpoint on a user-defined network get the embedded DNS server (Docker: the
    /// default bridge has no name resolution).</summary>
    public static bool UsesEmbeddedDns(ContainerRecord r) =>
        r.HostConfig.NetworkMode is not ("host" or "none") && r.Networks.Keys.Any(k => k is not ("bridge" or "host" or "none"));

    public static string HostResolvConf() => TryRead("/etc/resolv.conf") ?? "";

    private static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
