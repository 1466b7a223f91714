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

    [Fact]
    public async Task Wharf_manages_a_running_container_pause_rename_top_diff_stats_update_restart()
    {
        var name = wharf.UniqueName("cli-manage");
        var renamed = name + "-2";
        try
        {
            (await wharf.Wharf("run", "-d", "--name", name, "busybox", "sleep", "600")).EnsureSuccess();

            (await wharf.Wharf("pause", name)).EnsureSuccess();
            Assert.Equal("paused\n", (await wharf.Docker("inspect", "-f", "{{.State.Status}}", name)).EnsureSuccess().Stdout);
            (await wharf.Wharf("unpause", name)).EnsureSuccess();
            Assert.Equal("running\n", (await wharf.Docker("inspect", "-f", "{{.State.Status}}", name)).EnsureSuccess().Stdout);

            (await wharf.Wharf("rename", name, renamed)).EnsureSuccess();
            Assert.Equal("/" + renamed + "\n", (await wharf.Docker("inspect", "-f", "{{.Name}}", renamed)).EnsureSuccess().Stdout);

            var top = (await wharf.Wharf("top", renamed)).EnsureSuccess().Stdout;
            Assert.Contains("PID", top, StringComparison.Ordinal);
            Assert.Contains("sleep 600", top, StringComparison.Ordinal);

            (await wharf.Docker("exec", renamed, "touch", "/made-by-exec")).EnsureSuccess();
            Assert.Contains("A /made-by-exec", (await wharf.Wharf("diff", renamed)).EnsureSuccess().Stdout, StringComparison.Ordinal);

            var stats = (await wharf.Wharf("stats", "--no-stream", renamed)).EnsureSuccess().Stdout;
            Assert.Contains("MEM USAGE / LIMIT", stats, StringComparison.Ordinal);
            Assert.Contains(renamed, stats, StringComparison.Ordinal);

            (await wharf.Wharf("update", "--memory", "64m", "--pids-limit", "50", renamed)).EnsureSuccess();
            Assert.Equal("67108864 50\n",
                (await wharf.Docker("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", renamed)).EnsureSuccess().Stdout);

            var before = (await wharf.Docker("inspect", "-f", "{{.State.StartedAt}}", renamed)).EnsureSuccess().Stdout;
            (await wharf.Wharf("restart", "-t", "1", renamed)).EnsureSuccess();
            var after = (await wharf.Docker("inspect", "-f", "{{.State.Status}} {{.State.StartedAt}}", renamed)).EnsureSuccess().Stdout;
            Assert.StartsWith("running ", after, StringComparison.Ordinal);
            Assert.NotEqual("running " + before, after);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
            await wharf.Docker("rm", "-f", renamed);
        }
    }

    [Fact]
    public async Task Wharf_publishes_a_port_and_port_lists_it()
    {
        var name = wharf.UniqueName("cli-port");
        try
        {
            (await wharf.Wharf("create", "--name", name, "-p", "127.0.0.1::80", "--expose", "9000-9001/udp", "busybox", "true")).EnsureSuccess();

            var config = (await wharf.Docker("inspect", "-f", "{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}}", name)).EnsureSuccess().Stdout;
            Assert.Contains("\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]", config, StringComparison.Ordinal);
            Assert.Contains("\"9001/udp\":{}", config, StringComparison.Ordinal);

            var bad = await wharf.Wharf("create", "-p", "80/icmp", "busybox", "true");
            Assert.Equal(125, bad.ExitCode);
            Assert.Contains("invalid proto: icmp", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Wharf_network_and_volume_verbs_create_list_inspect_and_remove()
    {
        var net = wharf.UniqueName("cli-net");
        var vol = wharf.UniqueName("cli-vol");
        try
        {
            (await wharf.Wharf("network", "create", "--label", "team=a", net)).EnsureSuccess();
            Assert.Contains(net, (await wharf.Wharf("network", "ls")).EnsureSuccess().Stdout, StringComparison.Ordinal);
            Assert.Equal("a\n", (await wharf.Wharf("network", "inspect", "-f", "{{.Labels.team}}", net)).EnsureSuccess().Stdout);
            var name = wharf.UniqueName("cli-net-c");
            (await wharf.Wharf("create", "--name", name, "busybox", "true")).EnsureSuccess();
            (await wharf.Wharf("network", "connect", "--alias", "db", net, name)).EnsureSuccess();
            Assert.Contains("db", (await wharf.Docker("inspect", "-f", "{{json .NetworkSettings.Networks}}", name)).EnsureSuccess().Stdout, StringComparison.Ordinal);
            (await wharf.Wharf("network", "disconnect", net, name)).EnsureSuccess();
            (await wharf.Wharf("rm", name)).EnsureSuccess();
            (await wharf.Wharf("network", "rm", net)).EnsureSuccess();
            Assert.DoesNotContain(net, (await wharf.Docker("network", "ls")).EnsureSuccess().Stdout, StringComparison.Ordinal);

            Assert.Equal(vol + "\n", (await wharf.Wharf("volume", "create", "--label", "k=v", vol)).EnsureSuccess().Stdout);
            Assert.Contains(vol, (await wharf.Wharf("volume", "ls")).EnsureSuccess().Stdout, StringComparison.Ordinal);
            Assert.Equal("v\n", (await wharf.Wharf("volume", "inspect", "-f", "{{.Labels.k}}", vol)).EnsureSuccess().Stdout);
            (await wharf.Wharf("volume", "rm", vol)).EnsureSuccess();
            Assert.DoesNotContain(vol, (await wharf.Docker("volume", "ls", "-q")).EnsureSuccess().Stdout, StringComparison.Ordinal);
            var missing = await wharf.Wharf("volume", "inspect", vol);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("No such volume", missing.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("network", "rm", net);
            await wharf.Docker("volume", "rm", "-f", vol);
        }
    }

    [Fact]
    public async Task Wharf_container_prune_removes_stopped_containers_matching_the_filter()
    {
        var label = "wharf-cli-prune=" + Guid.NewGuid().ToString("N");
        var kept = wharf.UniqueName("cli-prune-keep");
        try
        {
            var id = (await wharf.Wharf("create", "--label", label, "busybox", "true")).EnsureSuccess().Stdout.Trim();
            (await wharf.Wharf("create", "--name", kept, "busybox", "true")).EnsureSuccess();

            var prune = (await wharf.Wharf("container", "prune", "-f", "--filter", "label=" + label)).EnsureSuccess().Stdout;

            Assert.Contains(id, prune, StringComparison.Ordinal);
            Assert.Contains("Total reclaimed space:", prune, StringComparison.Ordinal);
            Assert.Contains(kept, (await wharf.Docker("ps", "-a")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", kept);
        }
    }

    [Fact]
    public async Task Wharf_save_load_image_prune_and_system_df()
    {
        var name = "wharf-cli-save-" + Guid.NewGuid().ToString("N")[..8] + ":v1";
        var archive = Path.Combine(wharf.TempDir, wharf.UniqueName("save") + ".tar");
        try
        {
            (await wharf.Docker("tag", "busybox", name)).EnsureSuccess();
            var id = (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", name)).EnsureSuccess().Stdout.Trim();

            (await wharf.Wharf("save", "-o", archive, name)).EnsureSuccess();
            var listing = await ProcessRunner.RunAsync("tar", ["-tf", archive], new Dictionary<string, string?>());
            Assert.Contains("manifest.json", listing.Stdout, StringComparison.Ordinal);
            Assert.Contains("index.json", listing.Stdout, StringComparison.Ordinal);

            (await wharf.Docker("rmi", name)).EnsureSuccess();
            var load = (await wharf.Wharf("load", "-i", archive)).EnsureSuccess();
            Assert.Contains("Loaded image: " + name, load.Stdout, StringComparison.Ordinal);
            Assert.Equal(id, (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", name)).EnsureSuccess().Stdout.Trim());

            Assert.Contains("Total reclaimed space:", (await wharf.Wharf("image", "prune", "-f")).EnsureSuccess().Stdout, StringComparison.Ordinal);
            var df = (await wharf.Wharf("system", "df")).EnsureSuccess().Stdout;
            Assert.Contains("TYPE", df, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^Images\s+\d+\s+\d+\s+\S+", df);
            Assert.Contains("Local Volumes", df, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rmi", name);
        }
    }

    [Fact]
    public async Task Wharf_output_redirected_to_a_file_is_not_overwritten_by_the_next_writer()
    {
        var file = Path.Combine(wharf.TempDir, wharf.UniqueName("redirect") + ".txt");
        var env = new Dictionary<string, string?>(wharf.ClientEnvironment);

        // One redirection shared by wharf and the shell, as in a script's log: both outputs must be there, in order.
        var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", "{ echo before; \"$0\" images; echo after; } > \"$1\"", TestPaths.WharfCli, file], env);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = File.ReadAllLines(file);
        Assert.Equal("before", lines[0]);
        Assert.StartsWith("REPOSITORY", lines[1], StringComparison.Ordinal);
        Assert.Equal("after", lines[^1]);
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
