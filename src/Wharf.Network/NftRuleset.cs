using System.Globalization;
using System.Text;
using Wharf.Network.Ports;

namespace Wharf.Network;

/// <summary>
/// The whole nftables table of one daemon, rebuilt and swapped in one <c>nft -f</c> transaction whenever a network
/// comes or goes. Replacing the table wholesale is the reconciliation: after a crash and restart there can be
/// neither duplicated nor missing rules. The table is named after the daemon's default bridge, so parallel
/// daemons never touch each other's rules, and nothing outside it is modified.
/// </summary>
public static class NftRuleset
{
    public static string TableName(string defaultBridge) =>
        "wharf_" + new string(defaultBridge.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_').ToArray());

    public static string Build(string table, IReadOnlyList<FirewallNetwork> networks, IReadOnlyList<PortMapping>? ports = null)
    {
        ports ??= [];
        var sb = new StringBuilder();
        // "add" then "delete" makes the delete valid whether or not the table exists; the rest recreates it.
        sb.Append("add table ip ").Append(table).Append('\n');
        sb.Append("delete table ip ").Append(table).Append('\n');
        sb.Append("table ip ").Append(table).Append(" {\n");

        AppendForward(sb, networks, ports.Count > 0);

        sb.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var n in networks)
        {
            if (n.Internal || !n.Masquerade) continue;
            sb.Append("\t\tip saddr ").Append(n.Subnet.Canonical).Append(" oifname != \"").Append(n.Bridge).Append("\" masquerade\n");
        }
        if (ports.Count > 0)
        {
            foreach (var bridge in ports.Select(p => p.Bridge).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                // 127.0.0.1:PORT from the host: the DNATed packet leaves through the bridge with a loopback source
                // (allowed by route_localnet); the container must see the bridge's address instead.
                sb.Append("\t\tip saddr 127.0.0.0/8 oifname \"").Append(bridge).Append("\" masquerade\n");
                // Hairpin: a container reaching a port published by a neighbour through a host address; without
                // this the answer would go straight back over the bridge from an address the client never called.
                var subnet = networks.FirstOrDefault(n => n.Bridge == bridge)?.Subnet.Canonical;
                if (subnet is { } sn)
                    sb.Append("\t\tip saddr ").Append(sn).Append(" oifname \"").Append(bridge).Append("\" ct status dnat masquerade\n");
            }
        }
        sb.Append("\t}\n");

        if (ports.Count > 0)
        {
            // Only traffic addressed to this host is published (fib daddr type local), both arriving (prerouting)
            // and from the host itself (output, which is how 127.0.0.1:PORT works without a userland proxy).
            sb.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tfib daddr type local jump ports\n\t}\n");
            sb.Append("\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tfib daddr type local jump ports\n\t}\n");
            sb.Append("\tchain ports {\n");
            foreach (var p in ports)
            {
                sb.Append("\t\t");
                if (p.HostIp != 0) sb.Append("ip daddr ").Append(p.HostIpText).Append(' ');
                sb.Append(p.Proto).Append(" dport ").Append(p.HostPort.ToString(CultureInfo.InvariantCulture))
                  .Append(" dnat to ").Append(Ipv4Cidr.FormatIp(p.ContainerIp)).Append(':')
                  .Append(p.ContainerPort.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            sb.Append("\t}\n");
        }
        sb.Append("}\n");
        AppendIpv6(sb, table, networks, ports);
        return sb.ToString();
    }

    /// <summary>The forward chain: isolation between bridges and of --internal ones (the same in both families).</summary>
    private static void AppendForward(StringBuilder sb, IReadOnlyList<FirewallNetwork> networks, bool ports)
    {
        sb.Append("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        // Packets of connections already let through skip the per-bridge rules below: with br_netfilter every
        // bridged frame between two containers passes this chain, so this is on the throughput path.
        sb.Append("\t\tct state established,related accept\n");
        // Published ports are reachable from everywhere, other networks included (their DNAT marks them).
        if (ports) sb.Append("\t\tct status dnat accept\n");
        foreach (var n in networks)
        {
            if (n.Internal)
            {
                // An internal network talks only to itself.
                sb.Append("\t\tiifname \"").Append(n.Bridge).Append("\" oifname != \"").Append(n.Bridge).Append("\" drop\n");
                sb.Append("\t\toifname \"").Append(n.Bridge).Append("\" iifname != \"").Append(n.Bridge).Append("\" drop\n");
            }
            foreach (var other in networks)
            {
                // Docker isolates networks from each other.
                if (other.Bridge == n.Bridge) continue;
                sb.Append("\t\tiifname \"").Append(n.Bridge).Append("\" oifname \"").Append(other.Bridge).Append("\" drop\n");
            }
        }
        sb.Append("\t}\n");
    }

    /// <summary>
    /// The ip6 table of the same name, in the same transaction: for the IPv6 networks, the same isolation and
    /// masquerade of their (unique local) subnet leaving through any other interface, and the DNAT of ports published
    /// on every host address to containers with an IPv6 address. Without IPv6 networks the table is only deleted, so
    /// one that a crashed run left behind does not outlive its networks.
    /// </summary>
    private static void AppendIpv6(StringBuilder sb, string table, IReadOnlyList<FirewallNetwork> networks, IReadOnlyList<PortMapping> ports)
    {
        sb.Append("add table ip6 ").Append(table).Append('\n');
        sb.Append("delete table ip6 ").Append(table).Append('\n');
        var v6 = networks.Where(n => n.Subnet6 is not null).ToList();
        if (v6.Count == 0) return;
        var ports6 = ports.Where(p => p.AlsoIpv6).ToList();
        sb.Append("table ip6 ").Append(table).Append(" {\n");
        AppendForward(sb, v6, ports6.Count > 0);
        sb.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var n in v6)
        {
            if (n.Internal || !n.Masquerade) continue;
            sb.Append("\t\tip6 saddr ").Append(n.Subnet6!.Value.Canonical).Append(" oifname != \"").Append(n.Bridge).Append("\" masquerade\n");
        }
        foreach (var n in v6.Where(n => ports6.Any(p => p.Bridge == n.Bridge)))
            sb.Append("\t\tip6 saddr ").Append(n.Subnet6!.Value.Canonical).Append(" oifname \"").Append(n.Bridge).Append("\" ct status dnat masquerade\n");
        sb.Append("\t}\n");
        if (ports6.Count > 0)
        {
            // As for IPv4, only traffic to this host's own addresses, except ::1: IPv6 has no route_localnet, so a
            // DNATed loopback packet would be dropped on its way out (a hang instead of "connection refused").
            const string jump = "\t\tfib daddr type local ip6 daddr != ::1 jump ports\n\t}\n";
            sb.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n").Append(jump);
            sb.Append("\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n").Append(jump);
            sb.Append("\tchain ports {\n");
            foreach (var p in ports6)
            {
                sb.Append("\t\t").Append(p.Proto).Append(" dport ").Append(p.HostPort.ToString(CultureInfo.InvariantCulture))
                  .Append(" dnat to [").Append(p.ContainerIp6).Append("]:").Append(p.ContainerPort.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            sb.Append("\t}\n");
        }
        sb.Append("}\n");
    }

    public static Task ApplyAsync(string ruleset) => HostCommand.RunAsync("nft", ["-f", "-"], ruleset);

    public static Task DeleteAsync(string table) =>
        HostCommand.RunAsync("nft", ["-f", "-"], $"add table ip {table}\ndelete table ip {table}\nadd table ip6 {table}\ndelete table ip6 {table}\n");
}
