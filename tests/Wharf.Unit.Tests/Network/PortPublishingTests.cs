using System.Net;
using System.Net.Sockets;
using Wharf.Core;
using Wharf.Network;
using Wharf.Network.Ports;

namespace Wharf.Unit.Tests.Network;

public sealed class PortPublishingTests
{
    private static readonly uint Loopback = Ipv4Cidr.ParseIp("127.0.0.1");
    private static readonly uint Ctr = Ipv4Cidr.ParseIp("172.31.0.2");

    [Fact]
    public void Bindings_and_publish_all_become_sorted_requests()
    {
        var bindings = new Dictionary<string, List<(string, string)>?>
        {
            ["8080/tcp"] = [("127.0.0.1", "9000-9005")],
            ["53/udp"] = [("", "5353")],
            ["443/tcp"] = null,
        };

        var list = PortRequest.FromConfig(bindings, ["80/tcp", "8080/tcp"], publishAll: true);

        Assert.Equal(
            [new PortRequest("udp", 53, 0, 5353, 5353), new PortRequest("tcp", 80, 0, 0, 0), new PortRequest("tcp", 443, 0, 0, 0),
             new PortRequest("tcp", 8080, Loopback, 9000, 9005)],
            list);
    }

    [Theory]
    [InlineData("80/xyz")]
    [InlineData("0/tcp")]
    [InlineData("70000")]
    public void Bad_container_ports_are_refused(string key)
    {
        var ex = Assert.Throws<WharfException>(() => PortRequest.ParseKey(key));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    [Theory]
    [InlineData("80-70")]
    [InlineData("abc")]
    [InlineData("99999")]
    public void Bad_host_ports_are_refused(string text) =>
        Assert.Throws<WharfException>(() => PortRequest.ParseHostPort(text));

    [Fact]
    public void Ruleset_dnats_published_ports_for_host_and_loopback_traffic()
    {
        var net = new FirewallNetwork("wharf0", Ipv4Cidr.Parse("172.31.0.0/16"), Internal: false, Masquerade: true);
        var text = NftRuleset.Build("wharf_x", [net],
            [new PortMapping("tcp", Loopback, 8080, Ctr, 80, "wharf0"), new PortMapping("udp", 0, 5353, Ctr, 53, "wharf0")]);
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();

        Assert.Contains("ip daddr 127.0.0.1 tcp dport 8080 dnat to 172.31.0.2:80", lines);
        Assert.Contains("udp dport 5353 dnat to 172.31.0.2:53", lines);
        Assert.Equal(2, lines.Count(l => l == "fib daddr type local jump ports"));
        Assert.Contains("ip saddr 127.0.0.0/8 oifname \"wharf0\" masquerade", lines);
        Assert.Contains("ip saddr 172.31.0.0/16 oifname \"wharf0\" ct status dnat masquerade", lines);
        Assert.Contains("ct status dnat accept", lines);
    }

    [Fact]
    public void Ruleset_without_ports_has_no_nat_chains_for_them()
    {
        var text = NftRuleset.Build("wharf_x", [new FirewallNetwork("wharf0", Ipv4Cidr.Parse("172.31.0.0/16"), false, true)]);

        Assert.DoesNotContain("chain ports", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ct status dnat", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocator_refuses_a_second_claim_with_dockers_message_and_frees_on_release()
    {
        using var ports = new PortAllocator();
        var first = ports.Allocate("a", [new PortRequest("tcp", 80, Loopback, 0, 0)], Ctr, "wharf0");
        int port = first[0].HostPort;
        Assert.NotEqual(0, port);

        var ex = Assert.Throws<WharfException>(() => ports.Allocate("b", [new PortRequest("tcp", 80, 0, port, port)], Ctr, "wharf0"));
        Assert.Equal($"Bind for 0.0.0.0:{port} failed: port is already allocated", ex.Message);

        // The host port is really held.
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            Assert.Throws<SocketException>(() => probe.Bind(new IPEndPoint(IPAddress.Loopback, port)));

        Assert.True(ports.Release("a"));
        Assert.Empty(ports.All());
        var again = ports.Allocate("b", [new PortRequest("tcp", 80, Loopback, port, port)], Ctr, "wharf0");
        Assert.Equal(port, again[0].HostPort);
    }

    [Fact]
    public void Allocator_holds_ipv6_too_for_a_wildcard_binding_of_an_ipv6_container_and_frees_it()
    {
        using var ports = new PortAllocator();
        var m = ports.Allocate("a", [new PortRequest("tcp", 80, 0, 0, 0)], Ctr, "wharf0", "fd42:77:1::2").Single();
        var v4only = ports.Allocate("b", [new PortRequest("tcp", 81, 0, 0, 0)], Ctr, "wharf0").Single();

        Assert.True(m.AlsoIpv6);
        Assert.False(v4only.AlsoIpv6);
        Assert.False(CanBind6(m.HostPort));
        Assert.True(CanBind6(v4only.HostPort));
        ports.Release("a");
        Assert.True(CanBind6(m.HostPort));
    }

    private static bool CanBind6(int port)
    {
        using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
        try
        {
            s.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            return true;
        }
        catch (SocketException) { return false; }
    }

    [Fact]
    public void Allocator_takes_the_first_free_port_of_a_range_and_is_all_or_nothing()
    {
        using var ports = new PortAllocator();
        var a = ports.Allocate("a", [new PortRequest("udp", 53, Loopback, 0, 0)], Ctr, "wharf0");
        int p = a[0].HostPort;

        var b = ports.Allocate("b", [new PortRequest("udp", 53, Loopback, p, Math.Min(p + 5, 65535))], Ctr, "wharf0");
        Assert.NotEqual(p, b[0].HostPort);

        Assert.Throws<WharfException>(() => ports.Allocate("c",
            [new PortRequest("tcp", 81, Loopback, 0, 0), new PortRequest("udp", 53, Loopback, p, p)], Ctr, "wharf0"));
        Assert.DoesNotContain(ports.All(), m => m.ContainerPort == 81);
    }
}
