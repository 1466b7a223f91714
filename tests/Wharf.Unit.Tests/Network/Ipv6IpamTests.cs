using Wharf.Core;
using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

/// <summary>IPv6 prefixes, the IPv6 address pool of a network and the default unique local subnet.</summary>
public sealed class Ipv6IpamTests
{
    [Fact]
    public void Cidr_parses_and_prints_in_rfc5952_form_and_refuses_ipv4()
    {
        var c = Ipv6Cidr.Parse("FD42:0077:0001:0000::5/64");

        Assert.Equal("fd42:77:1::5/64", c.ToString());
        Assert.Equal("fd42:77:1::/64", c.Canonical.ToString());
        Assert.Equal("fd42:77:1:0:ffff:ffff:ffff:ffff", Ipv6Cidr.FormatIp(c.Last));   // one zero group is not "::"
        Assert.False(Ipv6Cidr.TryParse("10.0.0.0/8", out _));
        Assert.False(Ipv6Cidr.TryParse("fd00::/129", out _));
        Assert.False(Ipv6Cidr.TryParseIp("fe80::1%eth0", out _));
        Assert.True(Ipv6Cidr.Parse("fd00::/8").Overlaps(Ipv6Cidr.Parse("fd42:77:1::/64")));
        Assert.False(Ipv6Cidr.Parse("fd42:77:2::/64").Overlaps(Ipv6Cidr.Parse("fd42:77:1::/64")));
    }

    [Fact]
    public void First_usable_address_follows_the_gateway()
    {
        var pool = new Ip6Pool(Ipv6Cidr.Parse("fd42:77:1::/64"), Ipv6Cidr.ParseIp("fd42:77:1::1"));

        Assert.Equal("fd42:77:1::2", Ipv6Cidr.FormatIp(pool.Allocate()));
        Assert.Equal("fd42:77:1::3", Ipv6Cidr.FormatIp(pool.Allocate()));
    }

    [Fact]
    public void Gateway_and_subnet_router_address_are_never_given()
    {
        var pool = new Ip6Pool(Ipv6Cidr.Parse("fd42:77:1::/64"), Ipv6Cidr.ParseIp("fd42:77:1::2"));

        Assert.Equal("fd42:77:1::1", Ipv6Cidr.FormatIp(pool.Allocate()));
        Assert.Equal("fd42:77:1::3", Ipv6Cidr.FormatIp(pool.Allocate()));
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => pool.Claim(Ipv6Cidr.ParseIp("fd42:77:1::2"))).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => pool.Claim(Ipv6Cidr.ParseIp("fd42:77:1::"))).Kind);
    }

    [Fact]
    public void A_small_ip_range_is_exhausted_and_a_released_address_comes_back()
    {
        var pool = new Ip6Pool(Ipv6Cidr.Parse("fd42:77:1::/64"), Ipv6Cidr.ParseIp("fd42:77:1::1"), Ipv6Cidr.Parse("fd42:77:1::10/126"));

        var got = Enumerable.Range(0, 4).Select(_ => Ipv6Cidr.FormatIp(pool.Allocate())).ToList();

        Assert.Equal(["fd42:77:1::10", "fd42:77:1::11", "fd42:77:1::12", "fd42:77:1::13"], got);
        var ex = Assert.Throws<WharfException>(() => pool.Allocate());
        Assert.Contains("no available IPv6 addresses", ex.Message);
        pool.Release(Ipv6Cidr.ParseIp("fd42:77:1::12"));
        Assert.Equal("fd42:77:1::12", Ipv6Cidr.FormatIp(pool.Allocate()));
    }

    [Fact]
    public void Claim_takes_an_address_of_the_subnet_once()
    {
        var pool = new Ip6Pool(Ipv6Cidr.Parse("fd42:77:1::/64"), Ipv6Cidr.ParseIp("fd42:77:1::1"));

        pool.Claim(Ipv6Cidr.ParseIp("fd42:77:1::99"));

        Assert.Equal(ErrorKind.Conflict, Assert.Throws<WharfException>(() => pool.Claim(Ipv6Cidr.ParseIp("fd42:77:1::99"))).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => pool.Claim(Ipv6Cidr.ParseIp("fd42:77:2::5"))).Kind);
        Assert.Throws<WharfException>(() => new Ip6Pool(Ipv6Cidr.Parse("fd42:77:1::/64"), 1, Ipv6Cidr.Parse("fd42:77:2::/80")));
    }

    [Fact]
    public void Default_subnet_is_a_unique_local_64_stable_per_network()
    {
        var a = SubnetPicker.UlaFor("network-a", 0);

        Assert.Equal(a, SubnetPicker.UlaFor("network-a", 0));
        Assert.NotEqual(a, SubnetPicker.UlaFor("network-b", 0));
        Assert.Equal(64, a.PrefixLength);
        Assert.Equal(a, a.Canonical);
        Assert.True(Ipv6Cidr.Parse("fd00::/8").Overlaps(a));
    }

    [Fact]
    public void Default_subnet_skips_one_already_taken()
    {
        var first = SubnetPicker.UlaFor("net", 0);

        var picked = SubnetPicker.PickIpv6("net", [first]);

        Assert.NotEqual(first, picked);
        Assert.Equal(SubnetPicker.UlaFor("net", 1), picked);
    }
}
