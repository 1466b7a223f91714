using System.Text.RegularExpressions;

namespace Wharf.EndToEnd.Tests;

/// <summary>Detached containers through their life: run -d, ps, logs, stop, kill, rm.</summary>
[Collection(ContainersCollection.Name)]
public sealed partial class LifecycleTests(DaemonFixture wharf)
{
    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FullId();

    private async Task<string> RunDetached(string name, params string[] command)
    {
        var result = (await wharf.Docker(["run", "-d", "--name", name, "busybox", .. command])).EnsureSuccess();
        var id = result.Stdout.Trim();
        Assert.Matches(FullId(), id);
        return id;
    }

    private async Task<string> Inspect(string name, string format) =>
        (await wharf.Docker("inspect", "-f", format, name)).EnsureSuccess().Stdout.Trim();

    [Fact]
    public async Task Run_detached_prints_the_id_and_ps_shows_the_container_up()
    {
        var name = wharf.UniqueName("s");
        var id = await RunDetached(name, "sleep", "60");

        var ps = (await wharf.Docker("ps", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.Status}}")).EnsureSuccess();

        var line = Assert.Single(ps.StdoutLines, l => l.Contains(name, StringComparison.Ordinal));
        Assert.StartsWith($"{id} {name} busybox Up", line, StringComparison.Ordinal);
        (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
    }

    [Fact]
    public async Task Logs_show_what_the_container_printed()
    {
        var name = wharf.UniqueName("logs");
        await RunDetached(name, "sh", "-c", "for i in 1 2 3; do echo line$i; done; echo oops >&2");
        Assert.Equal("0", (await wharf.Docker("wait", name)).EnsureSuccess().Stdout.Trim());

        var logs = (await wharf.Docker("logs", name)).EnsureSuccess();

        Assert.Equal("line1\nline2\nline3\n", logs.Stdout);
        Assert.Equal("oops\n", logs.Stderr);
    }

    [Fact]
    public async Task Logs_tail_shows_only_the_last_lines()
    {
        var name = wharf.UniqueName("tail");
        await RunDetached(name, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
        (await wharf.Docker("wait", name)).EnsureSuccess();

        var logs = (await wharf.Docker("logs", "--tail", "2", name)).EnsureSuccess();

        Assert.Equal("line4\nline5\n", logs.Stdout);
    }

    [Fact]
    public async Task Logs_follow_streams_until_the_container_exits()
    {
        var name = wharf.UniqueName("follow");
        await RunDetached(name, "sh", "-c", "echo first; sleep 2; echo second");

        var logs = await wharf.Docker("logs", "-f", name);

        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal("first\nsecond\n", logs.Stdout);
    }

    [Fact]
    public async Task Stop_sends_SIGTERM_which_a_trapping_process_honours()
    {
        var name = wharf.UniqueName("term");
        await RunDetached(name, "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done");

        var stop = await wharf.Docker("stop", "-t", "20", name);

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal(name, stop.Stdout.Trim());
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stop.Elapsed}: SIGTERM was not delivered");
        Assert.Equal("exited 0", await Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
    }

    [Fact]
    public async Task Stop_kills_a_process_that_ignores_SIGTERM_after_the_timeout()
    {
        var name = wharf.UniqueName("ignore");
        await RunDetached(name, "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done");

        var stop = await wharf.Docker("stop", "-t", "1", name);

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True(stop.Elapsed >= TimeSpan.FromSeconds(1), $"stop returned after {stop.Elapsed}, before the timeout");
        Assert.Equal("exited 137", await Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
    }

    [Fact]
    public async Task Kill_exits_137()
    {
        var name = wharf.UniqueName("kill");
        await RunDetached(name, "sleep", "60");

        (await wharf.Docker("kill", name)).EnsureSuccess();

        Assert.Equal("137", (await wharf.Docker("wait", name)).EnsureSuccess().Stdout.Trim());
        Assert.Equal("exited 137", await Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
    }

    [Fact]
    public async Task Rm_force_removes_a_running_container()
    {
        var name = wharf.UniqueName("rmf");
        await RunDetached(name, "sleep", "60");

        var rm = await wharf.Docker("rm", "-f", name);

        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Equal(name, rm.Stdout.Trim());
        var ps = (await wharf.Docker("ps", "-a", "--filter", "name=" + name, "-q")).EnsureSuccess();
        Assert.Empty(ps.StdoutLines);
    }

    [Fact]
    public async Task Rm_without_force_refuses_a_running_container()
    {
        var name = wharf.UniqueName("rmrun");
        await RunDetached(name, "sleep", "60");

        var rm = await wharf.Docker("rm", name);

        Assert.True(rm.ExitCode != 0, rm.ToString());
        Assert.Contains("Error response from daemon", rm.Stderr, StringComparison.Ordinal);
        Assert.Contains("running", rm.Stderr, StringComparison.Ordinal);
        Assert.Equal("running", await Inspect(name, "{{.State.Status}}"));
        (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
    }

    [Fact]
    public async Task Name_already_in_use_is_a_conflict()
    {
        var name = wharf.UniqueName("dup");
        var id = await RunDetached(name, "sleep", "60");

        var second = await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "60");

        Assert.True(second.ExitCode == 125, second.ToString());
        Assert.Contains(
            $"Conflict. The container name \"/{name}\" is already in use by container \"{id}\"",
            second.Stderr,
            StringComparison.Ordinal);
        (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
    }

    [Fact]
    public async Task Commands_on_a_missing_container_say_no_such_container()
    {
        var name = wharf.UniqueName("missing");

        var stop = await wharf.Docker("stop", name);
        var logs = await wharf.Docker("logs", name);

        Assert.True(stop.ExitCode != 0, stop.ToString());
        Assert.Contains("No such container: " + name, stop.Stderr, StringComparison.Ordinal);
        Assert.True(logs.ExitCode != 0, logs.ToString());
        Assert.Contains("No such container: " + name, logs.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_freezes_the_container_and_unpause_thaws_it()
    {
        var name = wharf.UniqueName("pause");
        // Prints a counter every 0.1 s: while frozen the log must not grow.
        var id = await RunDetached(name, "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done");
        try
        {
            (await wharf.Docker("pause", name)).EnsureSuccess();
            Assert.Equal("paused true", await Inspect(name, "{{.State.Status}} {{.State.Paused}}"));
            var ps = (await wharf.Docker("ps", "--filter", "name=" + name, "--format", "{{.Status}}")).EnsureSuccess();
            Assert.Matches("^Up .*\\(Paused\\)$", ps.Stdout.Trim());

            var again = await wharf.Docker("pause", name);
            Assert.NotEqual(0, again.ExitCode);
            Assert.Contains($"Container {id} is already paused", again.Stderr, StringComparison.Ordinal);

            var before = (await wharf.Docker("logs", name)).EnsureSuccess().StdoutLines.Length;
            await Task.Delay(700);
            var after = (await wharf.Docker("logs", name)).EnsureSuccess().StdoutLines.Length;
            Assert.Equal(before, after);

            (await wharf.Docker("unpause", name)).EnsureSuccess();
            Assert.Equal("running false", await Inspect(name, "{{.State.Status}} {{.State.Paused}}"));
            var notPaused = await wharf.Docker("unpause", name);
            Assert.Contains($"Container {id} is not paused", notPaused.Stderr, StringComparison.Ordinal);
            await Task.Delay(700);
            Assert.True((await wharf.Docker("logs", name)).EnsureSuccess().StdoutLines.Length > after);

            // A paused container still stops (it is thawed so the signal lands).
            (await wharf.Docker("pause", name)).EnsureSuccess();
            (await wharf.Docker("stop", "-t", "1", name)).EnsureSuccess();
            Assert.Equal("exited", await Inspect(name, "{{.State.Status}}"));
            var stopped = await wharf.Docker("pause", name);
            Assert.Contains($"Container {id} is not running", stopped.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Paused_container_is_force_removed()
    {
        var name = wharf.UniqueName("pauserm");
        await RunDetached(name, "sleep", "60");
        (await wharf.Docker("pause", name)).EnsureSuccess();
        (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
        var gone = await wharf.Docker("inspect", name);
        Assert.NotEqual(0, gone.ExitCode);
    }

    [Fact]
    public async Task Rename_changes_the_name_and_refuses_a_taken_one()
    {
        var name = wharf.UniqueName("ren");
        var renamed = wharf.UniqueName("renamed");
        var other = wharf.UniqueName("other");
        (await wharf.Docker("create", "--name", name, "busybox", "true")).EnsureSuccess();
        (await wharf.Docker("create", "--name", other, "busybox", "true")).EnsureSuccess();
        try
        {
            (await wharf.Docker("rename", name, renamed)).EnsureSuccess();
            Assert.Equal("/" + renamed, await Inspect(renamed, "{{.Name}}"));
            Assert.NotEqual(0, (await wharf.Docker("inspect", name)).ExitCode);

            var taken = await wharf.Docker("rename", renamed, other);
            Assert.NotEqual(0, taken.ExitCode);
            Assert.Contains("is already in use by container", taken.Stderr, StringComparison.Ordinal);
            var invalid = await wharf.Docker("rename", renamed, "bad name!");
            Assert.NotEqual(0, invalid.ExitCode);
            Assert.Contains("Invalid container name", invalid.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name, renamed, other);
        }
    }

    [Fact]
    public async Task Container_prune_removes_only_stopped_containers()
    {
        var label = "wharf.prune=" + wharf.UniqueName("p");
        var running = wharf.UniqueName("prunerun");
        var created = wharf.UniqueName("prunecreated");
        var exited = wharf.UniqueName("pruneexited");
        var unlabelled = wharf.UniqueName("pruneother");
        try
        {
            (await wharf.Docker("run", "-d", "--label", label, "--name", running, "busybox", "sleep", "60")).EnsureSuccess();
            var createdId = (await wharf.Docker("create", "--label", label, "--name", created, "busybox", "true")).EnsureSuccess().Stdout.Trim();
            (await wharf.Docker("run", "--label", label, "--name", exited, "busybox", "true")).EnsureSuccess();
            var exitedId = await Inspect(exited, "{{.Id}}");
            (await wharf.Docker("create", "--name", unlabelled, "busybox", "true")).EnsureSuccess();

            var prune = (await wharf.Docker("container", "prune", "-f", "--filter", "label=" + label)).EnsureSuccess();

            Assert.Contains(createdId, prune.Stdout, StringComparison.Ordinal);
            Assert.Contains(exitedId, prune.Stdout, StringComparison.Ordinal);
            Assert.Equal("running", await Inspect(running, "{{.State.Status}}"));
            Assert.Equal("created", await Inspect(unlabelled, "{{.State.Status}}"));
            Assert.NotEqual(0, (await wharf.Docker("inspect", created)).ExitCode);
            Assert.NotEqual(0, (await wharf.Docker("inspect", exited)).ExitCode);

            var bad = await wharf.Docker("container", "prune", "-f", "--filter", "status=exited");
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("invalid filter", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", running, created, exited, unlabelled);
        }
    }

    [Fact]
    public async Task Top_lists_the_container_processes()
    {
        var name = wharf.UniqueName("top");
        await RunDetached(name, "sleep", "61");
        try
        {
            var top = (await wharf.Docker("top", name)).EnsureSuccess();
            Assert.Contains("PID", top.StdoutLines[0], StringComparison.Ordinal);
            Assert.Single(top.StdoutLines, l => l.EndsWith("sleep 61", StringComparison.Ordinal));
            Assert.Equal(2, top.StdoutLines.Length);

            var custom = (await wharf.Docker("top", name, "-o", "pid,comm")).EnsureSuccess();
            Assert.Equal("sleep", custom.StdoutLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

            (await wharf.Docker("stop", "-t", "0", name)).EnsureSuccess();
            var stopped = await wharf.Docker("top", name);
            Assert.NotEqual(0, stopped.ExitCode);
            Assert.Contains("is not running", stopped.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    /// <summary>Where runc kept the container: its state dir under the daemon's runc root, and its cgroup directory
    /// in every cgroup hierarchy mounted here (v1 controllers, named ones such as name=systemd, cgroup2).</summary>
    private IReadOnlyList<string> RuntimeTraces(string id)
    {
        var paths = new List<string> { Path.Combine(wharf.Daemon.ExecRoot, "runc", id) };
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0) continue;
            var fsType = line[(sep + 3)..].Split(' ')[0];
            if (fsType is "cgroup" or "cgroup2") paths.Add(line[..sep].Split(' ')[4] + "/wharf/" + id);
        }
        return paths;
    }

    /// <summary>The runtime cleanup runs after the client has its answer, so it is given a moment.</summary>
    private async Task AssertRuntimeTracesGone(string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        IReadOnlyList<string> left;
        while ((left = RuntimeTraces(id).Where(Directory.Exists).ToList()).Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));
    }

    [Fact]
    public async Task Run_rm_leaves_no_runc_state_and_no_cgroup_behind()
    {
        var cidFile = Path.Combine(wharf.TempDir, wharf.UniqueName("cid"));
        (await wharf.Docker("run", "--rm", "--cidfile", cidFile, "busybox", "true")).EnsureSuccess();
        var id = File.ReadAllText(cidFile).Trim();
        Assert.Matches(FullId(), id);

        await AssertRuntimeTracesGone(id);
    }

    [Fact]
    public async Task Exit_and_rm_f_remove_the_runc_state_and_cgroups()
    {
        var exited = wharf.UniqueName("gone");
        var running = wharf.UniqueName("killed");
        try
        {
            var exitedId = await RunDetached(exited, "true");
            Assert.Equal("0", (await wharf.Docker("wait", exited)).EnsureSuccess().Stdout.Trim());
            // Exited, not removed: the container stays, what runc kept for it goes.
            await AssertRuntimeTracesGone(exitedId);
            Assert.Equal("exited", await Inspect(exited, "{{.State.Status}}"));

            var runningId = await RunDetached(running, "sleep", "60");
            // The traces looked for are the real ones: a running container has its runc state and cgroups there.
            var present = RuntimeTraces(runningId).Where(Directory.Exists).ToList();
            Assert.Contains(Path.Combine(wharf.Daemon.ExecRoot, "runc", runningId), present);
            Assert.True(present.Count >= 2, "no cgroup directory found for the running container");
            (await wharf.Docker("rm", "-f", running)).EnsureSuccess();
            await AssertRuntimeTracesGone(runningId);
        }
        finally
        {
            await wharf.Docker("rm", "-f", exited, running);
        }
    }
}
