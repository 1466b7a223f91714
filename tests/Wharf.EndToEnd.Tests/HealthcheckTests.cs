using System.Globalization;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// Healthchecks run inside real containers: starting → healthy → unhealthy with State.Health, `docker ps` status
/// suffixes and health_status events; timeouts; --no-healthcheck; probes stop with the container and resume after
/// a wharfd restart. Shares the crash-recovery daemon because one test restarts it.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class HealthcheckTests(DaemonFixture wharf)
{
    private async Task<string> Inspect(string name, string format) =>
        (await wharf.Docker("inspect", "-f", format, name)).EnsureSuccess().Stdout.Trim();

    private async Task<string> PsStatus(string name) =>
        (await wharf.Docker("ps", "-a", "--filter", "name=" + name, "--format", "{{.Status}}")).EnsureSuccess().Stdout.Trim();

    private async Task WaitForHealth(string name, string expected, int seconds = 30)
    {
        var last = "";
        for (var i = 0; i < seconds * 10; i++)
        {
            last = await Inspect(name, "{{.State.Health.Status}}");
            if (last == expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{name}: health stayed '{last}', expected '{expected}'\n{await Inspect(name, "{{json .State.Health}}")}");
    }

    private static string Unix(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Probe_results_move_the_container_from_starting_to_healthy_to_unhealthy_with_events()
    {
        var name = wharf.UniqueName("health");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--health-cmd", "cat /tmp/ok", "--health-interval", "1s",
                "--health-retries", "2", "--health-timeout", "5s",
                "busybox", "sh", "-c", "echo fine > /tmp/ok; sleep 4; rm /tmp/ok; sleep 600")).EnsureSuccess();
            await WaitForHealth(name, "healthy");
            Assert.EndsWith("(healthy)", await PsStatus(name));
            Assert.Contains("fine", await Inspect(name, "{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.Output}}{{end}}{{end}}"));

            await WaitForHealth(name, "unhealthy");
            Assert.EndsWith("(unhealthy)", await PsStatus(name));
            Assert.True(int.Parse(await Inspect(name, "{{.State.Health.FailingStreak}}"), CultureInfo.InvariantCulture) >= 2);
            var log = await Inspect(name, "{{range .State.Health.Log}}{{.ExitCode}};{{end}}");
            Assert.True(log.Split(';', StringSplitOptions.RemoveEmptyEntries).Length <= 5, log);
            Assert.EndsWith("1;1;", log);
            Assert.Contains("No such file", await Inspect(name, "{{range .State.Health.Log}}{{.Output}}{{end}}"));

            var events = (await wharf.Docker("events", "--since", Unix(since), "--until", Unix(DateTimeOffset.UtcNow.AddSeconds(1)),
                "--filter", "container=" + name, "--filter", "event=health_status", "--format", "{{.Action}}")).EnsureSuccess().StdoutLines;
            Assert.Equal(["health_status: healthy", "health_status: unhealthy"], events);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Before_its_first_probe_a_container_is_starting()
    {
        var name = wharf.UniqueName("health-starting");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--health-cmd", "true", "--health-interval", "1h",
                "busybox", "sleep", "600")).EnsureSuccess();

            Assert.Equal("starting 0", await Inspect(name, "{{.State.Health.Status}} {{.State.Health.FailingStreak}}"));
            Assert.Matches(@"^Up .* \(health: starting\)$", await PsStatus(name));
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task A_probe_that_runs_too_long_fails_with_dockers_timeout_message()
    {
        var name = wharf.UniqueName("health-timeout");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--health-cmd", "sleep 30", "--health-interval", "1s",
                "--health-timeout", "1s", "--health-retries", "1", "busybox", "sleep", "600")).EnsureSuccess();

            await WaitForHealth(name, "unhealthy");
            Assert.Equal("-1 Health check exceeded timeout (1s)",
                await Inspect(name, "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}"));
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task No_healthcheck_means_no_health_state()
    {
        var name = wharf.UniqueName("health-none");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--no-healthcheck", "busybox", "sleep", "600")).EnsureSuccess();

            Assert.Equal("[NONE]", await Inspect(name, "{{.Config.Healthcheck.Test}}"));
            Assert.Equal("<nil>", await Inspect(name, "{{.State.Health}}"));
            Assert.DoesNotContain("(", await PsStatus(name));
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Invalid_healthcheck_settings_are_refused_with_dockers_message()
    {
        using var http = wharf.Http();
        var body = new StringContent(
            """{"Image":"busybox","Cmd":["true"],"Healthcheck":{"Test":["CMD","true"],"Retries":-1}}""",
            System.Text.Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/containers/create", body);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Retries in Healthcheck cannot be negative", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Probes_stop_with_the_container_and_resume_after_a_daemon_restart()
    {
        var name = wharf.UniqueName("health-restart");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--health-cmd", "true", "--health-interval", "1s",
                "busybox", "sleep", "600")).EnsureSuccess();
            await WaitForHealth(name, "healthy");

            await wharf.Daemon.KillAsync();
            await wharf.Daemon.StartAsync();
            Assert.Equal("healthy", await Inspect(name, "{{.State.Health.Status}}"));
            var before = await Inspect(name, "{{range .State.Health.Log}}{{.End}} {{end}}");
            await Task.Delay(3000);
            Assert.NotEqual(before, await Inspect(name, "{{range .State.Health.Log}}{{.End}} {{end}}"));

            (await wharf.Docker("stop", "-t", "0", name)).EnsureSuccess();
            var stopped = await Inspect(name, "{{range .State.Health.Log}}{{.End}} {{end}}");
            await Task.Delay(3000);
            Assert.Equal(stopped, await Inspect(name, "{{range .State.Health.Log}}{{.End}} {{end}}"));
        }
        finally
        {
            if (!wharf.Daemon.IsRunning)
            {
                await wharf.Daemon.StartAsync();
            }

            await wharf.Docker("rm", "-f", name);
        }
    }
}
