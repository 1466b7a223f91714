using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

public sealed class NftRulesetTests
{
    private static readonly FirewallNetwork Default = new("wharf0", Ipv4Cidr.Parse("172.31.0.0/16"), Internal: false, Masquerade: true);
    private static readonly FirewallNetwork Internal = new("br-abc", Ipv4Cidr.Parse("172.18.0.0/16"), Internal: true, Masquerade: true);

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
