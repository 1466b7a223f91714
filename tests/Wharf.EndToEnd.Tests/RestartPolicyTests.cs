using System.Globalization;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// Restart policies with real containers: on-failure:N, always, unless-stopped, no; RestartCount; a manual stop
/// holding a container down; what comes back when wharfd starts; `docker restart` and its events.
/// Shares the crash-recovery daemon because some tests restart it.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class RestartPolicyTests(DaemonFixture wharf)
{
    private async Task<string> Inspect(string name, string format) =>
        (await wharf.Docker("inspect", "-f", format, name)).EnsureSuccess().Stdout.Trim();

    private async Task<string> State(string name) => await Inspect(name, "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}");

    /// <summary>Polls until the inspect template gives the expected text; fails with the last value seen.</summary>
    private async Task WaitFor(string name, string format, string expected, int seconds = 30)
    {
        var last = "";
        for (var i = 0; i < seconds * 10; i++)
        {
            last = await Inspect(name, format);
            if (last == expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{name}: {format} stayed '{last}', expected '{expected}'\n{wharf.Daemon.LogTail(20)}");
    }

    private async Task EnsureDaemonRunning()
    {
        if (!wharf.Daemon.IsRunning)
        {
            await wharf.Daemon.StartAsync();
        }
    }

    [Fact]
    public async Task On_failure_with_a_count_restarts_that_many_times_then_stays_exited()
    {
        var name = wharf.UniqueName("onfail");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 3"))
                .EnsureSuccess();

            await WaitFor(name, "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", "exited 3 2");
            // Backoff 100 ms then 200 ms: well past that, nothing restarts any more.
            await Task.Delay(1500);
            Assert.Equal("exited 3 2", await State(name));
            Assert.Equal("run\nrun\nrun\n", (await wharf.Docker("logs", name)).EnsureSuccess().Stdout);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task On_failure_does_not_restart_a_clean_exit_and_no_never_restarts()
    {
        var clean = wharf.UniqueName("onfail-ok");
        var never = wharf.UniqueName("never");
        try
        {
            (await wharf.Docker("run", "-d", "--name", clean, "--restart", "on-failure", "busybox", "true")).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", never, "--restart", "no", "busybox", "sh", "-c", "exit 1")).EnsureSuccess();
            Assert.Equal("0", (await wharf.Docker("wait", clean)).EnsureSuccess().Stdout.Trim());
            Assert.Equal("1", (await wharf.Docker("wait", never)).EnsureSuccess().Stdout.Trim());
            await Task.Delay(1000);

            Assert.Equal("exited 0 0", await State(clean));
            Assert.Equal("exited 1 0", await State(never));
        }
        finally
        {
            await wharf.Docker("rm", "-f", clean, never);
        }
    }

    [Fact]
    public async Task Always_restarts_until_docker_stop_which_keeps_it_down()
    {
        var name = wharf.UniqueName("always");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--restart", "always", "busybox", "sh", "-c", "echo up; sleep 0.2"))
                .EnsureSuccess();
            for (var i = 0; i < 300 && int.Parse(await Inspect(name, "{{.RestartCount}}"), CultureInfo.InvariantCulture) < 2; i++)
            {
                await Task.Delay(100);
            }

            Assert.True(int.Parse(await Inspect(name, "{{.RestartCount}}"), CultureInfo.InvariantCulture) >= 2);

            (await wharf.Docker("stop", "-t", "1", name)).EnsureSuccess();
            Assert.Equal("exited", await Inspect(name, "{{.State.Status}}"));
            var count = await Inspect(name, "{{.RestartCount}}");
            await Task.Delay(2000);
            Assert.Equal("exited " + count, await Inspect(name, "{{.State.Status}} {{.RestartCount}}"));
            Assert.DoesNotContain(name, (await wharf.Docker("ps", "--format", "{{.Names}}")).EnsureSuccess().StdoutLines);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Daemon_start_brings_back_always_even_after_a_stop_but_not_a_stopped_unless_stopped()
    {
        var always = wharf.UniqueName("always-boot");
        var unless = wharf.UniqueName("unless-boot");
        var plain = wharf.UniqueName("plain-boot");
        try
        {
            foreach (var (name, policy) in new[] { (always, "always"), (unless, "unless-stopped"), (plain, "no") })
            {
                (await wharf.Docker("run", "-d", "--name", name, "--restart", policy, "busybox", "sleep", "600")).EnsureSuccess();
            }

            (await wharf.Docker("stop", "-t", "0", always, unless, plain)).EnsureSuccess();

            await wharf.Daemon.StopAsync();
            await wharf.Daemon.StartAsync();

            await WaitFor(always, "{{.State.Status}}", "running");
            await Task.Delay(1000);
            Assert.Equal("exited", await Inspect(unless, "{{.State.Status}}"));
            Assert.Equal("exited", await Inspect(plain, "{{.State.Status}}"));
        }
        finally
        {
            await EnsureDaemonRunning();
            await wharf.Docker("rm", "-f", always, unless, plain);
        }
    }

    [Fact]
    public async Task Unless_stopped_container_that_died_while_the_daemon_was_down_comes_back_when_it_starts()
    {
        var name = wharf.UniqueName("unless-died");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--restart", "unless-stopped", "busybox", "sleep", "600")).EnsureSuccess();
            var pid = await Inspect(name, "{{.State.Pid}}");

            await wharf.Daemon.KillAsync();
            (await ProcessRunner.RunAsync("/bin/kill", ["-KILL", pid])).EnsureSuccess();
            for (var i = 0; i < 100 && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
            }

            await wharf.Daemon.StartAsync();

            await WaitFor(name, "{{.State.Status}}", "running");
            Assert.NotEqual(pid, await Inspect(name, "{{.State.Pid}}"));
        }
        finally
        {
            await EnsureDaemonRunning();
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Docker_restart_gives_a_new_process_and_emits_die_stop_start_restart()
    {
        var name = wharf.UniqueName("restart");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "600")).EnsureSuccess();
            var pid = await Inspect(name, "{{.State.Pid}}");
            var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;

            (await wharf.Docker("restart", "-t", "0", name)).EnsureSuccess();

            Assert.Equal("running 0 0", await State(name));
            Assert.NotEqual(pid, await Inspect(name, "{{.State.Pid}}"));
            var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
            var actions = (await wharf.Docker("events", "--since", since.ToString(CultureInfo.InvariantCulture),
                    "--until", until.ToString(CultureInfo.InvariantCulture), "--filter", "container=" + name, "--format", "{{.Action}}"))
                .EnsureSuccess().StdoutLines;
            // The replay may begin with the first run's start (same second): what follows its die is the restart.
            var order = actions.SkipWhile(a => a != "die").Where(a => a is "die" or "stop" or "start" or "restart").ToArray();
            Assert.Equal(["die", "stop", "start", "restart"], order);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }
}
