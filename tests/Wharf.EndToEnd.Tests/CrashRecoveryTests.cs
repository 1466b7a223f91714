namespace Wharf.EndToEnd.Tests;

/// <summary>
/// Containers outlive wharfd: after a SIGKILL or a clean SIGTERM shutdown, a restarted wharfd on the same data root
/// lists every container with its true state.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashRecoveryTests(DaemonFixture wharf)
{
    private async Task<string> State(string name) =>
        (await wharf.Docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name)).EnsureSuccess().Stdout.Trim();

    private async Task<string[]> RunningNames() =>
        (await wharf.Docker("ps", "--format", "{{.Names}}")).EnsureSuccess().StdoutLines;

    /// <summary>Whatever a test did to the daemon, the next test finds it running.</summary>
    private async Task EnsureDaemonRunning()
    {
        if (!wharf.Daemon.IsRunning)
        {
            await wharf.Daemon.StartAsync();
        }
    }

    [Fact]
    public async Task Running_container_survives_a_SIGKILLed_daemon_and_its_kill_is_seen_after_restart()
    {
        var name = wharf.UniqueName("survivor");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "600")).EnsureSuccess();

            await wharf.Daemon.KillAsync();
            await wharf.Daemon.StartAsync();

            Assert.Contains(name, await RunningNames());
            Assert.Equal("running 0", await State(name));

            (await wharf.Docker("kill", name)).EnsureSuccess();
            Assert.Equal("137", (await wharf.Docker("wait", name)).EnsureSuccess().Stdout.Trim());
            await wharf.Daemon.KillAsync();
            await wharf.Daemon.StartAsync();

            Assert.DoesNotContain(name, await RunningNames());
            Assert.Equal("exited 137", await State(name));
        }
        finally
        {
            await EnsureDaemonRunning();
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Container_that_dies_while_the_daemon_is_down_is_shown_exited_after_restart()
    {
        var name = wharf.UniqueName("orphan");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "600")).EnsureSuccess();
            var pid = (await wharf.Docker("inspect", "-f", "{{.State.Pid}}", name)).EnsureSuccess().Stdout.Trim();
            Assert.NotEqual("0", pid);

            await wharf.Daemon.KillAsync();
            (await ProcessRunner.RunAsync("/bin/kill", ["-KILL", pid])).EnsureSuccess();
            await WaitUntilGone(pid);
            await wharf.Daemon.StartAsync();

            Assert.DoesNotContain(name, await RunningNames());
            Assert.Equal("exited 137", await State(name));
        }
        finally
        {
            await EnsureDaemonRunning();
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task SIGTERM_shuts_the_daemon_down_cleanly_and_the_container_keeps_running_and_logging()
    {
        var name = wharf.UniqueName("detached");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "busybox", "sh", "-c", "echo before; sleep 3; echo after; sleep 600"))
                .EnsureSuccess();

            var exitCode = await wharf.Daemon.StopAsync();
            Assert.Equal(0, exitCode);
            await Task.Delay(TimeSpan.FromSeconds(4));
            await wharf.Daemon.StartAsync();

            Assert.Equal("running 0", await State(name));
            var logs = (await wharf.Docker("logs", name)).EnsureSuccess();
            Assert.Equal("before\nafter\n", logs.Stdout);
        }
        finally
        {
            await EnsureDaemonRunning();
            await wharf.Docker("rm", "-f", name);
        }
    }

    private static async Task WaitUntilGone(string pid)
    {
        // The killed process is reaped by its monitor; until then /proc still has it (as a zombie).
        for (var i = 0; i < 100 && Directory.Exists("/proc/" + pid); i++)
        {
            string stat;
            try
            {
                stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return; // reaped between the check and the read (ENOENT or ESRCH): gone
            }
            if (stat.Contains(") Z ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }
    }
}
