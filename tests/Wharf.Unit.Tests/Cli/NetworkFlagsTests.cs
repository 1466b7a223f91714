using Wharf.Cli.Commands;
using Wharf.Cli.Parsing;

namespace Wharf.Unit.Tests.Cli;

public sealed class NetworkFlagsTests
{
    private static Wharf.Api.Containers.ContainerCreateRequest Parse(params string[] args) =>
        CreateOptions.Parse(args, isRun: true, _ => null).Request;

    private static string[] Specs(string spec) =>
        NetworkFlags.ParsePortSpec(spec).Select(p => $"{p.Key}={p.Binding.HostIp}|{p.Binding.HostPort}").ToArray();

    [Theory]
    [InlineData("80", "80/tcp=|")]
    [InlineData("8080:80", "80/tcp=|8080")]
    [InlineData("127.0.0.1:8080:80/udp", "80/udp=127.0.0.1|8080")]
    [InlineData("127.0.0.1::80", "80/tcp=127.0.0.1|")]
    [InlineData("[::1]:8080:80", "80/tcp=::1|8080")]
    [InlineData("8000-8010:80", "80/tcp=|8000-8010")]
    public void Publish_specs_parse_as_docker(string spec, string expected) =>
        Assert.Equal([expected], Specs(spec));

    [Fact]
    public void Port_ranges_map_one_to_one()
    {
        Assert.Equal(["80/tcp=|8080", "81/tcp=|8081"], Specs("8080-8081:80-81"));
        Assert.Equal(["53/udp=|", "54/udp=|"], Specs("53-54/udp"));
    }

    [Theory]
    [InlineData("8080-8082:80-81")]
    [InlineData("80/icmp")]
    [InlineData("1:2:3:4")]
    [InlineData("x:80")]
    [InlineData("bad-ip:80:80")]
    public void Bad_publish_specs_are_usage_errors(string spec) =>
        Assert.Throws<UsageException>(() => NetworkFlags.ParsePortSpec(spec));

    [Fact]
    public void Flags_fill_port_bindings_exposed_ports_dns_and_endpoint()
    {
        var r = Parse("-p", "127.0.0.1:8080:80", "-p", "9090:80", "-P", "--expose", "7000-7001/udp", "--dns", "192.0.2.1",
            "--dns-search", "corp.example", "--dns-option", "ndots:2", "--network", "net1", "--network-alias", "db",
            "--ip", "10.5.0.9", "busybox");
        var hc = r.HostConfig!;

        Assert.True(hc.PublishAllPorts);
        Assert.Equal([("127.0.0.1", "8080"), ("", "9090")], hc.PortBindings!["80/tcp"]!.Select(b => (b.HostIp, b.HostPort)));
        Assert.Equal(["7000/udp", "7001/udp", "80/tcp"], r.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["192.0.2.1"], hc.Dns);
        Assert.Equal(["corp.example"], hc.DnsSearch);
        Assert.Equal(["ndots:2"], hc.DnsOptions);
        var ep = r.NetworkingConfig!.EndpointsConfig!["net1"];
        Assert.Equal(["db"], ep.Aliases);
        Assert.Equal("10.5.0.9", ep.IPAMConfig!.IPv4Address);
    }

    [Fact]
    public void Ip6_fills_the_endpoints_ipv6_address()
    {
        var r = Parse("--network", "v6net", "--ip6", "fd42:77:1::99", "busybox");

        var ipam = r.NetworkingConfig!.EndpointsConfig!["v6net"].IPAMConfig!;
        Assert.Equal("fd42:77:1::99", ipam.IPv6Address);
        Assert.Null(ipam.IPv4Address);
    }

    [Fact]
    public void Network_create_pairs_gateways_and_ranges_with_the_subnet_holding_them()
    {
        var configs = NetworkVolumeVerbs.IpamConfigs(["10.1.0.0/24", "fd00:1::/64"], ["fd00:1::1", "10.1.0.254"], ["fd00:1::100/120"]);

        Assert.Equal(("10.1.0.0/24", "10.1.0.254", (string?)null), (configs[0].Subnet, configs[0].Gateway, configs[0].IPRange));
        Assert.Equal(("fd00:1::/64", "fd00:1::1", "fd00:1::100/120"), (configs[1].Subnet, configs[1].Gateway, configs[1].IPRange));
        Assert.Contains("no matching subnet for gateway 10.9.0.1",
            Assert.Throws<UsageException>(() => NetworkVolumeVerbs.IpamConfigs(["10.1.0.0/24"], ["10.9.0.1"], [])).Message);
        Assert.Throws<UsageException>(() => NetworkVolumeVerbs.IpamConfigs(["10.1.0.0/24"], ["10.1.0.1", "10.1.0.2"], []));
    }
}
