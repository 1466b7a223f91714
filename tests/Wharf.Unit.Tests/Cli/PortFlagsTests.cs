using Wharf.Cli.Commands;
using Wharf.Cli.Parsing;

namespace Wharf.Unit.Tests.Cli;

public sealed class PortFlagsTests
{
    private static string Render(string spec) =>
        string.Join(" ", PortFlags.ParsePublish(spec).Select(p => $"{p.Port}={p.Binding.HostIp}|{p.Binding.HostPort}"));

    [Theory]
    [InlineData("80", "80/tcp=|")]
    [InlineData("8080:80", "80/tcp=|8080")]
    [InlineData("127.0.0.1:8080:80", "80/tcp=127.0.0.1|8080")]
    [InlineData("127.0.0.1::80", "80/tcp=127.0.0.1|")]
    [InlineData("[::1]:8080:80/udp", "80/udp=::1|8080")]
    [InlineData("::1:8080:80", "80/tcp=::1|8080")]
    [InlineData("8000-8001:80-81", "80/tcp=|8000 81/tcp=|8001")]
    [InlineData("8000-8010:80", "80/tcp=|8000-8010")]
    [InlineData("53:53/UDP", "53/udp=|53")]
    public void Publish_specs_read_as_docker_reads_them(string spec, string expected) =>
        Assert.Equal(expected, Render(spec));

    [Theory]
    [InlineData("80/icmp", "invalid proto: icmp")]
    [InlineData("8000-8002:80-81", "invalid ranges specified")]
    [InlineData("70000:80", "invalid port number: 70000")]
    [InlineData("not-an-ip:80:80", "invalid IP address: not-an-ip")]
    [InlineData("8080:", "no port specified")]
    public void Bad_publish_specs_are_refused_with_the_reason(string spec, string reason)
    {
        var ex = Assert.Throws<UsageException>(() => PortFlags.ParsePublish(spec));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expose_ranges_list_every_port()
    {
        Assert.Equal(["8000/udp", "8001/udp", "8002/udp"], PortFlags.ParseExpose("8000-8002/udp"));
        Assert.Equal(["80/tcp"], PortFlags.ParseExpose("80"));
        Assert.Throws<UsageException>(() => PortFlags.ParseExpose("8080:80"));
    }
}
