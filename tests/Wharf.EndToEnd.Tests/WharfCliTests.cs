namespace Wharf.EndToEnd.Tests;

/// <summary>Wharf's own CLI against the same daemon, with docker's verbs and flags.</summary>
[Collection(ImagesCollection.Name)]
public sealed class WharfCliTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Wharf_run_rm_echo_prints_its_output()
    {
        var result = await wharf.Wharf("run", "--rm", "busybox", "echo", "hi");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi\n", result.Stdout);
    }

    [Fact]
    public async Task Wharf_run_passes_the_container_exit_code_through()
    {
        var result = await wharf.Wharf("run", "--rm", "busybox", "sh", "-c", "exit 5");

        Assert.True(result.ExitCode == 5, result.ToString());
    }

    [Fact]
    public async Task Wharf_ps_lists_a_detached_container_and_logs_shows_its_output()
    {
        var name = wharf.UniqueName("cli");
        (await wharf.Wharf("run", "-d", "--name", name, "busybox", "sh", "-c", "echo ready; sleep 60")).EnsureSuccess();

        var ps = await wharf.Wharf("ps");
        var logs = await WaitForLogs(name, "ready");

        Assert.True(ps.ExitCode == 0, ps.ToString());
        Assert.Contains(name, ps.Stdout, StringComparison.Ordinal);
        Assert.Equal("ready\n", logs.Stdout);
        (await wharf.Wharf("rm", "-f", name)).EnsureSuccess();
        Assert.DoesNotContain(name, (await wharf.Wharf("ps", "-a")).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wharf_images_lists_busybox()
    {
        var result = await wharf.Wharf("images");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("busybox", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("latest", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wharf_version_shows_the_server_api_version()
    {
        var result = await wharf.Wharf("version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1.50", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wharf_honours_docker_host_alone()
    {
        var env = new Dictionary<string, string?>(wharf.ClientEnvironment) { ["WHARF_HOST"] = null };

        var result = await ProcessRunner.RunAsync(TestPaths.WharfCli, ["images"], env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("busybox", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wharf_honours_the_host_flag()
    {
        var env = new Dictionary<string, string?>(wharf.ClientEnvironment) { ["WHARF_HOST"] = null, ["DOCKER_HOST"] = null };

        var result = await ProcessRunner.RunAsync(TestPaths.WharfCli, ["-H", wharf.Daemon.Host, "images"], env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("busybox", result.Stdout, StringComparison.Ordinal);
    }

    private async Task<CommandResult> WaitForLogs(string name, string expected)
    {
        CommandResult logs;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            logs = await wharf.Wharf("logs", name);
            if (logs.Stdout.Contains(expected, StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(logs.ExitCode == 0, logs.ToString());
        return logs;
    }
}
