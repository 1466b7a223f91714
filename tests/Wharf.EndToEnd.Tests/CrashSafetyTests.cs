namespace Wharf.EndToEnd.Tests;

/// <summary>
/// wharfd SIGKILLed in the middle of create/start/stop/rm (the test-only WHARF_TEST_CRASH_AT hook, see
/// CrashPoints) and started again: the container is either gone or in a state it can leave, `docker rm -f` works,
/// and nothing is half-made — no rootfs mount, runc container, monitor state or container directory that no
/// container record owns.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashSafetyTests(DaemonFixture wharf)
{
    [Theory]
    [InlineData("create-dir", "none", "create")]
    [InlineData("create-rootfs", "none", "create")]
    [InlineData("start-mounted", "create", "start")]
    [InlineData("start-created", "create", "start")]
    [InlineData("start-started", "create", "start")]
    [InlineData("stop-signalled", "run", "stop")]
    [InlineData("die-recorded", "run", "stop")]
    [InlineData("rm-marked", "run", "rm")]
    [InlineData("rm-cleaned", "run", "rm")]
    public async Task Daemon_killed_mid_operation_leaves_nothing_half_made(string step, string before, string operation)
    {
        var name = wharf.UniqueName("crash-" + step);
        try
        {
            if (before == "create")
            {
                (await wharf.Docker("create", "--name", name, "busybox", "sleep", "600")).EnsureSuccess();
            }
            else if (before == "run")
            {
                (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "600")).EnsureSuccess();
            }

            await wharf.Daemon.StopAsync();
            await wharf.Daemon.StartAsync(new Dictionary<string, string> { ["WHARF_TEST_CRASH_AT"] = step });

            string[] args = operation switch
            {
                "create" => ["create", "--name", name, "busybox", "sleep", "600"],
                "start" => ["start", name],
                "stop" => ["stop", "-t", "0", name],
                _ => ["rm", "-f", name],
            };
            var interrupted = await wharf.Docker(args);
            Assert.True(await wharf.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)),
                $"wharfd did not reach crash point {step}: {interrupted}\n{wharf.Daemon.LogTail(20)}");

            await wharf.Daemon.StartAsync();

            var status = await wharf.Docker("inspect", "-f", "{{.State.Status}}", name);
            if (status.ExitCode == 0)
            {
                Assert.Contains(status.Stdout.Trim(), new[] { "created", "running", "exited" });
            }

            (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
            await AssertNothingOrphaned();

            // The name is free again and the engine still runs containers.
            (await wharf.Docker("run", "--name", name, "busybox", "echo", "ok")).EnsureSuccess();
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

    /// <summary>Every container directory, rootfs mount, monitor state dir and runc container belongs to a
    /// container wharfd lists.</summary>
    private async Task AssertNothingOrphaned()
    {
        var known = (await wharf.Docker("ps", "-aq", "--no-trunc")).EnsureSuccess().StdoutLines.ToHashSet();
        var containersDir = Path.Combine(wharf.Daemon.DataRoot, "containers");
        var problems = new List<string>();

        foreach (var dir in Directory.EnumerateDirectories(containersDir))
        {
            if (!known.Contains(Path.GetFileName(dir)))
            {
                problems.Add("container directory without a container: " + dir);
            }
        }

        foreach (var mount in DaemonFixture.MountPointsUnder(wharf.Daemon.Directory + "/"))
        {
            var id = mount.StartsWith(containersDir + "/", StringComparison.Ordinal)
                ? mount[(containersDir.Length + 1)..].Split('/')[0]
                : null;
            if (id is null || !known.Contains(id))
            {
                problems.Add("orphan mount: " + mount);
            }
        }

        var monitorDir = Path.Combine(wharf.Daemon.ExecRoot, "containers");
        if (Directory.Exists(monitorDir))
        {
            problems.AddRange(Directory.EnumerateDirectories(monitorDir)
                .Where(d => !known.Contains(Path.GetFileName(d)))
                .Select(d => "monitor state without a container: " + d));
        }

        problems.AddRange(Directory.EnumerateFiles(wharf.Daemon.ExecRoot, "state.json", SearchOption.AllDirectories)
            .Select(Path.GetDirectoryName)
            .Where(d => !known.Contains(Path.GetFileName(d)!))
            .Select(d => "runc container without a container: " + d));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
