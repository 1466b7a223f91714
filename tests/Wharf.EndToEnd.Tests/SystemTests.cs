namespace Wharf.EndToEnd.Tests;

/// <summary>The daemon as a process and as the docker CLI discovers it: version, info, socket, pid file.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SystemTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Docker_version_reports_server_api_1_50()
    {
        var api = await wharf.Docker("version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}");

        Assert.True(api.ExitCode == 0, api.ToString());
        Assert.Equal("1.50 1.24 linux", api.Stdout.Trim());
    }

    [Fact]
    public async Task Docker_version_prints_client_and_server_without_downgrade()
    {
        var result = await wharf.Docker("version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Server:", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("downgraded", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_info_prints_the_daemon_summary()
    {
        var result = await wharf.Docker("info");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Server Version:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Images:", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ERROR", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_info_fields_describe_this_daemon()
    {
        var result = await wharf.Docker("info", "--format", "{{.DockerRootDir}}|{{.Swarm.LocalNodeState}}|{{.OSType}}|{{.DefaultRuntime}}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{wharf.Daemon.DataRoot}|inactive|linux|runc", result.Stdout.Trim());
    }

    [Fact]
    public void Pid_file_holds_the_daemon_pid()
    {
        Assert.Equal(wharf.Daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(wharf.Daemon.PidFile).Trim());
    }

    [Fact]
    public void Socket_is_not_world_accessible()
    {
        var mode = File.GetUnixFileMode(wharf.Daemon.SocketPath);

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            mode);
    }
}
