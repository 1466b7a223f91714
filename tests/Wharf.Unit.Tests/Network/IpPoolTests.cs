using Wharf.Core;
using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

public sealed class IpPoolTests
{
    [Fact]
    public void Allocates_lowest_free_address_skipping_network_and_gateway()
    {
        var pool = new IpPool(Ipv4Cidr.Parse("172.20.0.0/16"), Ipv4Cidr.ParseIp("172.20.0.1"));

        Assert.Equal("172.20.0.2", Ipv4Cidr.FormatIp(pool.Allocate()));
        Assert.Equal("172.20.0.3", Ipv4Cidr.FormatIp(pool.Allocate()));
    }

    [Fact]
    public void Released_address_is_reused_first()
    {
        var pool = new IpPool(Ipv4Cidr.Parse("10.0.0.0/24"), Ipv4Cidr.ParseIp("10.0.0.1"));
        var a = pool.Allocate();
        pool.Allocate();
        pool.Release(a);

        Assert.Equal(a, pool.Allocate());
    }

    [Fact]
    public void Ip_range_narrows_allocation()
    {
        var pool = new IpPool(Ipv4Cidr.Parse("10.1.0.0/24"), Ipv4Cidr.ParseIp("10.1.0.254"), Ipv4Cidr.Parse("10.1.0.128/25"));

        Assert.Equal("10.1.0.128", Ipv4Cidr.FormatIp(pool.Allocate()));
    }

    [Fact]
    public void Exhausted_pool_fails_and_broadcast_is_never_given()
    {
        var pool = new IpPool(Ipv4Cidr.Parse("10.2.0.0/30"), Ipv4Cidr.ParseIp("10.2.0.1"));

        Assert.Equal("10.2.0.2", Ipv4Cidr.FormatIp(pool.Allocate()));
        Assert.Throws<WharfException>(() => pool.Allocate());
    }

    [Fact]
    public void Claim_refuses_taken_gateway_and_foreign_addresses()
    {
        var pool = new IpPool(Ipv4Cidr.Parse("10.3.0.0/24"), Ipv4Cidr.ParseIp("10.3.0.1"));
        pool.Claim(Ipv4Cidr.ParseIp("10.3.0.50"));

        Assert.Equal(ErrorKind.Conflict, Assert.Throws<WharfException>(() => pool.Claim(Ipv4Cidr.ParseIp("10.3.0.50"))).Kind);
        Assert.Throws<WharfException>(() => pool.Claim(Ipv4Cidr.ParseIp("10.3.0.1")));
        Assert.Throws<WharfException>(() => pool.Claim(Ipv4Cidr.ParseIp("10.4.0.5")));
        Assert.Equal("10.3.0.2", Ipv4Cidr.FormatIp(pool.Allocate()));
    }

    [Theory]
    [InlineData("172.20.0.0/16", "172.20.5.0/24", true)]
    [InlineData("172.20.0.0/16", "172.21.0.0/16", false)]
    [InlineData("10.0.0.0/8", "10.200.0.0/16", true)]
    public void Overlap_is_symmetric_prefix_comparison(string a, string b, bool overlaps)
    {
        Assert.Equal(overlaps, Ipv4Cidr.Parse(a).Overlaps(Ipv4Cidr.Parse(b)));
        Assert.Equal(overlaps, Ipv4Cidr.Parse(b).Overlaps(Ipv4Cidr.Parse(a)));
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("1.2.3.4/33")]
    [InlineData("300.1.1.1/8")]
    [InlineData("::1/64")]
    public void Bad_cidrs_are_rejected(string text) => Assert.False(Ipv4Cidr.TryParse(text, out _));

    [Fact]
    public void Subnet_picker_skips_taken_pools()
    {
        var picked = SubnetPicker.Pick([Ipv4Cidr.Parse("172.18.0.0/16"), Ipv4Cidr.Parse("172.19.3.0/24")]);

        Assert.False(picked.Overlaps(Ipv4Cidr.Parse("172.18.0.0/16")));
        Assert.False(picked.Overlaps(Ipv4Cidr.Parse("172.19.0.0/16")));
        Assert.DoesNotContain(SubnetPicker.HostRoutes(), r => r.PrefixLength > 0 && r.Overlaps(picked));
    }

    [Fact]
    public void Mac_is_derived_from_the_address_like_docker()
    {
        Assert.Equal("02:42:ac:11:00:02", LinkManager.MacFor(Ipv4Cidr.ParseIp("172.17.0.2")));
    }

    [Fact]
    public void Gateway_and_range_default_to_the_first_address_and_the_whole_subnet_for_both_families()
    {
        var (gw4, range4) = IpCidr.GatewayAndRange<Ipv4Cidr, uint>(Ipv4Cidr.Parse("10.9.0.0/24"), null, "10.9.0.128/25");
        var (gw6, range6) = IpCidr.GatewayAndRange<Ipv6Cidr, UInt128>(Ipv6Cidr.Parse("fd00:9::/64"), "fd00:9::fe", null);

        Assert.Equal("10.9.0.1", Ipv4Cidr.FormatIp(gw4));
        Assert.Equal("10.9.0.128/25", range4?.ToString());
        Assert.Equal("fd00:9::fe", Ipv6Cidr.FormatIp(gw6));
        Assert.Null(range6);
    }

    [Theory]
    [InlineData("10.9.1.1", null, "no matching subnet for gateway 10.9.1.1")]
    [InlineData(null, "10.9.0.0/23", "no matching subnet for range 10.9.0.0/23")]
    [InlineData(null, "10.8.0.0/25", "no matching subnet for range 10.8.0.0/25")]
    public void Gateway_or_range_outside_the_subnet_is_refused_with_dockers_words(string? gateway, string? range, string message)
    {
        var e = Assert.Throws<WharfException>(() => IpCidr.GatewayAndRange<Ipv4Cidr, uint>(Ipv4Cidr.Parse("10.9.0.0/24"), gateway, range));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(message, e.Message);
    }
}
