using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

public sealed class NftRulesetTests
{
    private static readonly FirewallNetwork Default = new("wharf0", Ipv4Cidr.Parse("172.31.0.0/16"), Internal: false, Masquerade: true);
    private static readonly FirewallNetwork Internal = new("br-abc", Ipv4Cidr.Parse("172.18.0.0/16"), Internal: true, Masquerade: true);

    [Fact]
    public void Ipv6_networks_get_an_ip6_table_with_isolation_and_masquerade_of_their_subnet()
    {
        var v6 = new FirewallNetwork("br-v6", Ipv4Cidr.Parse("172.19.0.0/16"), Internal: false, Masquerade: true, Ipv6Cidr.Parse("fd42:77:1::/64"));
        var v6Internal = new FirewallNetwork("br-v6i", Ipv4Cidr.Parse("172.20.0.0/16"), Internal: true, Masquerade: true, Ipv6Cidr.Parse("fd42:77:2::/64"));

        var text = NftRuleset.Build("wharf_x", [Default, v6, v6Internal]);
        var ip6 = text[text.IndexOf("table ip6 wharf_x {", StringComparison.Ordinal)..];

        Assert.Contains("add table ip6 wharf_x\ndelete table ip6 wharf_x\ntable ip6 wharf_x {", text);
        Assert.Contains("ip6 saddr fd42:77:1::/64 oifname != \"br-v6\" masquerade", ip6);
        Assert.DoesNotContain("fd42:77:2::/64", ip6);                              // internal: no way out
        Assert.Contains("iifname \"br-v6\" oifname \"br-v6i\" drop", ip6);
        Assert.Contains("iifname \"br-v6i\" oifname != \"br-v6i\" drop", ip6);
        Assert.DoesNotContain("wharf0", ip6);                                      // IPv4-only networks stay out
    }

    [Fact]
    public void Ports_published_on_all_addresses_are_dnated_to_the_containers_ipv6_address_except_from_loopback()
    {
        var v6 = new FirewallNetwork("br-v6", Ipv4Cidr.Parse("172.19.0.0/16"), Internal: false, Masquerade: true, Ipv6Cidr.Parse("fd42:77:1::/64"));
        var all = new Wharf.Network.Ports.PortMapping("tcp", 0, 8080, Ipv4Cidr.ParseIp("172.19.0.2"), 80, "br-v6", "fd42:77:1::2");
        var local = new Wharf.Network.Ports.PortMapping("tcp", Ipv4Cidr.ParseIp("127.0.0.1"), 8081, Ipv4Cidr.ParseIp("172.19.0.2"), 81, "br-v6", "fd42:77:1::2");

        var text = NftRuleset.Build("wharf_x", [Default, v6], [all, local]);
        var ip6 = text[text.IndexOf("table ip6 wharf_x {", StringComparison.Ordinal)..];

        Assert.Contains("tcp dport 8080 dnat to [fd42:77:1::2]:80", ip6);
        Assert.DoesNotContain("8081", ip6);                                        // bound to an IPv4 address only
        Assert.Contains("fib daddr type local ip6 daddr != ::1 jump ports", ip6);
        Assert.Contains("ip6 saddr fd42:77:1::/64 oifname \"br-v6\" ct status dnat masquerade", ip6);
        Assert.Contains("ct status dnat accept", ip6);
    }

    [Fact]
    public void Without_ipv6_networks_the_ip6_table_is_only_removed()
    {
        var text = NftRuleset.Build("wharf_x", [Default]);

        Assert.EndsWith("}\nadd table ip6 wharf_x\ndelete table ip6 wharf_x\n", text);
        Assert.DoesNotContain("table ip6 wharf_x {", text);
    }

    [Fact]
    public void Table_is_named_after_the_default_bridge()
    {
        Assert.Equal("wharf_wh_e2e_1", NftRuleset.TableName("wh-e2e.1"));
    }

    [Fact]
    public void Ruleset_replaces_the_whole_table_atomically()
    {
        var text = NftRuleset.Build("wharf_x", [Default]);
        var lines = text.Split('\n');

        Assert.Equal("add table ip wharf_x", lines[0]);
        Assert.Equal("delete table ip wharf_x", lines[1]);
        Assert.Equal("table ip wharf_x {", lines[2]);
        Assert.Single(lines, l => l.Trim() == "table ip wharf_x {");
    }

    [Fact]
    public void Masquerade_only_for_traffic_leaving_the_bridge()
    {
        var text = NftRuleset.Build("wharf_x", [Default]);

        Assert.Contains("ip saddr 172.31.0.0/16 oifname != \"wharf0\" masquerade", text);
    }

    [Fact]
    public void Internal_networks_get_no_masquerade_and_no_way_out()
    {
        var text = NftRuleset.Build("wharf_x", [Default, Internal]);

        Assert.DoesNotContain("172.18.0.0/16", text);
        Assert.Contains("iifname \"br-abc\" oifname != \"br-abc\" drop", text);
        Assert.Contains("oifname \"br-abc\" iifname != \"br-abc\" drop", text);
    }

    [Fact]
    public void Networks_are_isolated_from_each_other()
    {
        var text = NftRuleset.Build("wharf_x", [Default, Internal]);

        Assert.Contains("iifname \"wharf0\" oifname \"br-abc\" drop", text);
        Assert.Contains("iifname \"br-abc\" oifname \"wharf0\" drop", text);
    }

    [Fact]
    public void Building_twice_gives_the_same_text()
    {
        Assert.Equal(NftRuleset.Build("t", [Default, Internal]), NftRuleset.Build("t", [Default, Internal]));
    }
}
