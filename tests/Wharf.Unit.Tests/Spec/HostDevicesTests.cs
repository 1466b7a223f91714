using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

public sealed class HostDevicesTests
{
    [Fact]
    public void Lists_dev_null_with_its_numbers_and_skips_pts_and_console()
    {
        var devices = HostDevices.List();
        var nul = Assert.Single(devices, d => d.Path == "/dev/null");
        Assert.Equal(("c", 1L, 3L), (nul.Type, nul.Major, nul.Minor));
        Assert.Equal(0x1B6u, nul.FileMode); // 0666
        Assert.DoesNotContain(devices, d => d.Path.StartsWith("/dev/pts/", StringComparison.Ordinal));
        Assert.DoesNotContain(devices, d => d.Path == "/dev/console");
    }

    [Fact]
    public void Privileged_spec_lists_host_devices_and_default_spec_none()
    {
        var host = TestHosts.HybridV1 with { HostDevices = () => [new SpecDevice { Type = "b", Path = "/dev/vda", Major = 254, Minor = 0 }] };
        Assert.Single(SpecBuilder.Build(TestHosts.Input() with { Privileged = true }, host).Linux!.Devices!);
        Assert.Null(SpecBuilder.Build(TestHosts.Input(), host).Linux!.Devices);
    }
}
