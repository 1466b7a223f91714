using Wharf.Cli.Parsing;
using Wharf.Cli.Commands;

namespace Wharf.Unit.Tests.Cli;

public sealed class HostOptionFlagsTests
{
    private static Wharf.Api.Containers.HostConfig Parse(params string[] args) =>
        CreateOptions.Parse(args, isRun: true, _ => null).Request.HostConfig!;

    [Fact]
    public void Security_and_device_flags_fill_the_host_config_as_docker()
    {
        var hc = Parse(
            "--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--tmpfs", "/run:size=1m,exec", "--tmpfs", "/cache",
            "--security-opt", "no-new-privileges", "--device", "/dev/null:/dev/n:r", "--device", "/dev/zero:rw",
            "--device-cgroup-rule", "c 1:3 mr", "--add-host", "db:10.0.0.2", "--add-host", "v6=::1", "--group-add", "audio",
            "--sysctl", "net.ipv4.ip_forward=1", "--log-opt", "max-size=1m", "--log-opt", "max-file=2", "busybox");
        Assert.Equal(["NET_ADMIN"], hc.CapAdd);
        Assert.Equal(["ALL"], hc.CapDrop);
        Assert.Equal(new Dictionary<string, string> { ["/run"] = "size=1m,exec", ["/cache"] = "" }, hc.Tmpfs);
        Assert.Equal(["no-new-privileges"], hc.SecurityOpt);
        Assert.Equal([("/dev/null", "/dev/n", "r"), ("/dev/zero", "/dev/zero", "rw")], hc.Devices!.Select(d => (d.PathOnHost, d.PathInContainer, d.CgroupPermissions)));
        Assert.Equal(["c 1:3 mr"], hc.DeviceCgroupRules);
        Assert.Equal(["db:10.0.0.2", "v6:::1"], hc.ExtraHosts);
        Assert.Equal(["audio"], hc.GroupAdd);
        Assert.Equal("1", hc.Sysctls!["net.ipv4.ip_forward"]);
        Assert.Equal(new Dictionary<string, string> { ["max-size"] = "1m", ["max-file"] = "2" }, hc.LogConfig.Config);
    }

    [Theory]
    [InlineData("--sysctl", "vm.swappiness=1", "sysctl 'vm.swappiness=1' is not allowed")]
    [InlineData("--device", "/dev/null:rx", "bad format for path: rx")]
    [InlineData("--device", "/dev/null:/dev/n:rx", "invalid device mode: rx")]
    [InlineData("--add-host", "nohost", "bad format for add-host")]
    [InlineData("--add-host", "h:not-an-ip", "invalid IP address in add-host")]
    [InlineData("--security-opt", "seccomp=/nonexistent/profile.json", "opening seccomp profile (/nonexistent/profile.json) failed")]
    public void Bad_values_are_refused_as_docker_does(string flag, string value, string message)
    {
        var e = Assert.Throws<UsageException>(() => Parse(flag, value, "busybox"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seccomp_profile_file_is_sent_inline_and_compact()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n");
            Assert.Equal(["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"], Parse("--security-opt", "seccomp=" + path, "busybox").SecurityOpt);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
