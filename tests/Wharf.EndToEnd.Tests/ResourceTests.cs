using System.Globalization;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>Resource limits through the docker CLI: memory, CPUs, pids, ulimits, /dev/shm, the OOM killer,
/// <c>docker update</c> and <c>docker stats</c>. Limits are checked where the kernel keeps them (the container's
/// cgroup files, rlimits, the tmpfs size), not by timing.</summary>
[Collection(ContainersCollection.Name)]
public sealed class ResourceTests(DaemonFixture wharf)
{
    private async Task<string> Inspect(string name, string format) =>
        (await wharf.Docker("inspect", "-f", format, name)).EnsureSuccess().Stdout.Trim();

    /// <summary>Runs a container to completion and removes it, even when the assertions fail.</summary>
    private async Task<CommandResult> RunOnce(string name, params string[] args)
    {
        try { return await wharf.Docker(["run", "--name", name, .. args]); }
        finally { await wharf.Docker("rm", "-f", name); }
    }

    /// <summary>A file of the container's cgroup on the host, found from its init's /proc/&lt;pid&gt;/cgroup
    /// (v1: the controller's hierarchy; v2: the unified one).</summary>
    private async Task<string> HostCgroupFile(string name, string controller, string v1File, string v2File)
    {
        var pid = await Inspect(name, "{{.State.Pid}}");
        var lines = File.ReadAllLines($"/proc/{pid}/cgroup");
        var v1 = lines.Select(l => l.Split(':', 3)).FirstOrDefault(p => p[1].Split(',').Contains(controller));
        if (v1 is not null)
        {
            var dir = Directory.Exists($"/sys/fs/cgroup/{controller}") ? $"/sys/fs/cgroup/{controller}" : $"/sys/fs/cgroup/cpu,cpuacct";
            return File.ReadAllText(dir + v1[2] + "/" + v1File).Trim();
        }
        var unified = lines.Select(l => l.Split(':', 3)).Single(p => p[0] == "0");
        return File.ReadAllText("/sys/fs/cgroup" + unified[2] + "/" + v2File).Trim();
    }

    [Fact]
    public async Task Memory_limit_is_set_on_the_containers_cgroup()
    {
        var name = wharf.UniqueName("mem");
        var run = (await RunOnce(name, "-m", "32m", "busybox", "sh", "-c",
            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")).EnsureSuccess();
        Assert.Equal("33554432", run.Stdout.Trim());
    }

    [Fact]
    public async Task Memory_below_dockers_minimum_is_refused()
    {
        var name = wharf.UniqueName("tiny");
        var run = await RunOnce(name, "-m", "4m", "busybox", "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("Minimum memory limit allowed is 6MB", run.Stderr);
    }

    [Fact]
    public async Task Cpus_become_a_cfs_quota_and_more_cpus_than_the_host_has_are_refused()
    {
        var name = wharf.UniqueName("cpus");
        var run = (await RunOnce(name, "--cpus", "0.5", "busybox", "sh", "-c",
            "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max")).EnsureSuccess();
        Assert.Equal(["50000", "100000"], run.Stdout.Split(['\n', ' '], StringSplitOptions.RemoveEmptyEntries));

        int cpus = Environment.ProcessorCount;
        var tooMany = await RunOnce(wharf.UniqueName("cpus"), "--cpus", (cpus + 1).ToString(CultureInfo.InvariantCulture), "busybox", "true");
        Assert.Equal(125, tooMany.ExitCode);
        Assert.Contains($"Range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available", tooMany.Stderr);
    }

    [Fact]
    public async Task Pids_limit_stops_a_fork_bomb()
    {
        var name = wharf.UniqueName("pids");
        // 30 background sleeps cannot all start under a limit of 10; the shell reports the failed forks.
        var run = await RunOnce(name, "--pids-limit", "10", "busybox", "sh", "-c",
            "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; " +
            "i=0; while [ $i -lt 30 ]; do sleep 30 & i=$((i+1)); done; echo started");
        Assert.StartsWith("10\n", run.Stdout);
        Assert.Contains("can't fork", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Ulimit_nofile_is_visible_and_above_the_daemons_hard_limit_is_refused()
    {
        var name = wharf.UniqueName("ulimit");
        var run = (await RunOnce(name, "--ulimit", "nofile=1024:2048", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn")).EnsureSuccess();
        Assert.Equal("1024\n2048\n", run.Stdout);

        var limits = File.ReadAllLines($"/proc/{wharf.Daemon.Pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var hard = limits.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        var status = File.ReadAllLines($"/proc/{wharf.Daemon.Pid}/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        bool canRaise = (ulong.Parse(status[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << 24)) != 0;
        Assert.False(canRaise || hard == "unlimited", "this test needs a wharfd without CAP_SYS_RESOURCE and with a finite nofile hard limit");
        var above = (long.Parse(hard, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        var refused = await RunOnce(wharf.UniqueName("ulimit"), "--ulimit", $"nofile={above}:{above}", "busybox", "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains($"exceeds the daemon's own hard limit of {hard}", refused.Stderr);
    }

    [Fact]
    public async Task Shm_size_sets_the_dev_shm_tmpfs_and_defaults_to_64m()
    {
        var sized = (await RunOnce(wharf.UniqueName("shm"), "--shm-size", "16m", "busybox", "df", "-k", "/dev/shm")).EnsureSuccess();
        Assert.Matches(@"\s16384\s", sized.StdoutLines[1]);
        var dflt = (await RunOnce(wharf.UniqueName("shm"), "busybox", "df", "-k", "/dev/shm")).EnsureSuccess();
        Assert.Matches(@"\s65536\s", dflt.StdoutLines[1]);
    }

    [Fact]
    public async Task Oom_killed_container_exits_137_with_OOMKilled_and_an_oom_event()
    {
        var name = wharf.UniqueName("oom");
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        try
        {
            // busybox tail keeps the last line of /dev/zero, which never ends: it grows until the kernel kills it.
            var run = await wharf.Docker("run", "--name", name, "-m", "16m", "--memory-swap", "16m", "busybox", "tail", "/dev/zero");
            Assert.Equal(137, run.ExitCode);
            Assert.Equal("true 137", await Inspect(name, "{{.State.OOMKilled}} {{.State.ExitCode}}"));

            var until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);
            var events = (await wharf.Docker("events", "--since", since, "--until", until, "--filter", "container=" + name,
                "--format", "{{.Action}}")).EnsureSuccess();
            var actions = events.StdoutLines.ToList();
            Assert.Contains("oom", actions);
            Assert.True(actions.IndexOf("oom") < actions.IndexOf("die"), string.Join(",", actions));
        }
        finally { await wharf.Docker("rm", "-f", name); }
    }

    [Fact]
    public async Task Update_changes_the_memory_limit_of_a_running_container_and_keeps_it()
    {
        var name = wharf.UniqueName("upd");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "-m", "32m", "busybox", "sleep", "60")).EnsureSuccess();
            Assert.Equal("33554432", await HostCgroupFile(name, "memory", "memory.limit_in_bytes", "memory.max"));

            var update = (await wharf.Docker("update", "-m", "48m", "--memory-swap", "96m", "--pids-limit", "40", name)).EnsureSuccess();
            Assert.Equal(name, update.Stdout.Trim());

            Assert.Equal("50331648", await HostCgroupFile(name, "memory", "memory.limit_in_bytes", "memory.max"));
            Assert.Equal("40", await HostCgroupFile(name, "pids", "pids.max", "pids.max"));
            Assert.Equal("50331648 100663296 40", await Inspect(name, "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}"));

            // Kept for the next start.
            (await wharf.Docker("restart", "-t", "0", name)).EnsureSuccess();
            Assert.Equal("50331648", await HostCgroupFile(name, "memory", "memory.limit_in_bytes", "memory.max"));
        }
        finally { await wharf.Docker("rm", "-f", name); }
    }

    [Fact]
    public async Task Stats_no_stream_prints_a_row_with_memory_limit_and_pids()
    {
        var name = wharf.UniqueName("stats");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "-m", "32m", "busybox", "sleep", "60")).EnsureSuccess();
            var stats = (await wharf.Docker("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}", name)).EnsureSuccess();
            var cols = Assert.Single(stats.StdoutLines).Split('|');
            Assert.Equal(name, cols[0]);
            Assert.EndsWith("%", cols[1]);
            Assert.EndsWith(" / 32MiB", cols[2]);
            Assert.Contains(" / ", cols[3]);
            Assert.Contains(" / ", cols[4]);
            Assert.Equal("1", cols[5]);
        }
        finally { await wharf.Docker("rm", "-f", name); }
    }

    [Fact]
    public async Task Stats_stream_sends_a_sample_a_second_each_with_the_previous_cpu()
    {
        var name = wharf.UniqueName("statsstream");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "60")).EnsureSuccess();
            using var http = wharf.Http();
            using var response = await http.GetAsync($"/v1.50/containers/{name}/stats?stream=true", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(200, (int)response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var first = JsonDocument.Parse((await reader.ReadLineAsync())!);
            using var second = JsonDocument.Parse((await reader.ReadLineAsync())!);

            Assert.Equal("/" + name, first.RootElement.GetProperty("name").GetString());
            Assert.Equal("0001-01-01T00:00:00Z", first.RootElement.GetProperty("preread").GetString());
            Assert.Equal(first.RootElement.GetProperty("read").GetString(), second.RootElement.GetProperty("preread").GetString());
            Assert.Equal(
                first.RootElement.GetProperty("cpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetUInt64(),
                second.RootElement.GetProperty("precpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetUInt64());
            Assert.True(second.RootElement.GetProperty("memory_stats").GetProperty("usage").GetUInt64() > 0);
            Assert.Equal(1UL, second.RootElement.GetProperty("pids_stats").GetProperty("current").GetUInt64());

            using var both = await http.GetAsync($"/v1.50/containers/{name}/stats?stream=true&one-shot=true");
            Assert.Equal(400, (int)both.StatusCode);
        }
        finally { await wharf.Docker("rm", "-f", name); }
    }
}
