using System.Text;

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

    public static string Build(string table, IReadOnlyList<FirewallNetwork> networks)
    {
        var sb = new StringBuilder();
        // "add" then "delete" makes the delete valid whether or not the table exists; the rest recreates it.
        sb.Append("add table ip ").Append(table).Append('\n');
        sb.Append("delete table ip ").Append(table).Append('\n');
        sb.Append("table ip ").Append(table).Append(" {\n");

        sb.Append("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
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

        sb.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var n in networks)
        {
            if (n.Internal || !n.Masquerade) continue;
            sb.Append("\t\tip saddr ").Append(n.Subnet.Canonical).Append(" oifname != \"").Append(n.Bridge).Append("\" masquerade\n");
        }
        sb.Append("\t}\n}\n");
        return sb.ToString();
    }

    public static Task ApplyAsync(string ruleset) => HostCommand.RunAsync("nft", ["-f", "-"], ruleset);

    public static Task DeleteAsync(string table) =>
        HostCommand.RunAsync("nft", ["-f", "-"], $"add table ip {table}\ndelete table ip {table}\n");
}
