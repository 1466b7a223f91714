using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

public sealed class HostSysctlTests : IDisposable
{
    private readonly string _procSys = Directory.CreateTempSubdirectory("wharf-sysctl-").FullName;

    public void Dispose() => Directory.Delete(_procSys, recursive: true);

    private string ForwardFile()
    {
        Directory.CreateDirectory(Path.Combine(_procSys, "net/ipv4"));
        return Path.Combine(_procSys, "net/ipv4/ip_forward");
    }

    [Fact]
    public void Forwarding_that_is_off_is_turned_on_once()
    {
        var file = ForwardFile();
        File.WriteAllText(file, "0\n");

        Assert.True(HostSysctl.EnableIpv4Forwarding(_procSys));
        Assert.Equal("1", File.ReadAllText(file).Trim());
        Assert.False(HostSysctl.EnableIpv4Forwarding(_procSys));
    }

    [Fact]
    public void Forwarding_that_is_on_is_left_alone()
    {
        var file = ForwardFile();
        File.WriteAllText(file, "1\n");
        var before = File.GetLastWriteTimeUtc(file);

        Assert.False(HostSysctl.EnableIpv4Forwarding(_procSys));
        Assert.Equal(before, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public void Route_localnet_is_turned_on_for_the_named_bridge_only()
    {
        Directory.CreateDirectory(Path.Combine(_procSys, "net/ipv4/conf/wharf0"));
        Directory.CreateDirectory(Path.Combine(_procSys, "net/ipv4/conf/eth0"));
        File.WriteAllText(Path.Combine(_procSys, "net/ipv4/conf/wharf0/route_localnet"), "0\n");
        File.WriteAllText(Path.Combine(_procSys, "net/ipv4/conf/eth0/route_localnet"), "0\n");

        HostSysctl.EnableRouteLocalnet("wharf0", _procSys);

        Assert.Equal("1", File.ReadAllText(Path.Combine(_procSys, "net/ipv4/conf/wharf0/route_localnet")).Trim());
        Assert.Equal("0", File.ReadAllText(Path.Combine(_procSys, "net/ipv4/conf/eth0/route_localnet")).Trim());
    }
}
