using System.Globalization;
using System.Text;
using Wharf.Runtime;
using Wharf.Runtime.Cgroups;

namespace Wharf.Unit.Tests.Runtime;

/// <summary>The in-process `runc delete` of a stopped container: what it reads from runc's state.json, which cgroup
/// directories it may remove (only inside cgroup mounts), runc's notion of "stopped", and that it declines (leaving
/// everything to runc) whenever the case is not the plain one.</summary>
public sealed class StoppedContainerDeleteTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-stopdel-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>This machine's layout (cgroup v1 hybrid, every controller apart, name=systemd, cgroup2 at unified/).</summary>
    private const string HybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string PureV2Mountinfo = """
        24 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
        """;

    /// <summary>A trimmed state.json as runc 1.1.5 writes it on the hybrid host.</summary>
    private static string State(string cgroupPaths = """
        "": "/sys/fs/cgroup/unified/wharf/c1", "cpu": "/sys/fs/cgroup/cpu/wharf/c1", "cpuacct": "/sys/fs/cgroup/cpuacct/wharf/c1",
        "memory": "/sys/fs/cgroup/memory/wharf/c1", "name=systemd": "/sys/fs/cgroup/systemd/wharf/c1", "pids": "/sys/fs/cgroup/pids/wharf/c1"
        """, string pidNs = """{"type": "NEWPID", "path": ""}""", string hooks = "null", int pid = 14718, ulong start = 2834703,
        string rdt = "") =>
        $$"""
        {"id": "c1", "init_process_pid": {{pid}}, "init_process_start": {{start}}, "created": "2026-11-29T11:44:42.391397206Z",
         "config": {"no_pivot_root": false, "rootfs": "/x/rootfs",
           "namespaces": [{{pidNs}}, {"type": "NEWNET", "path": ""}, {"type": "NEWNS", "path": ""}],
           "cgroups": {"path": "/wharf/c1"}, "Hooks": {{hooks}}},
         "rootless": false, "cgroup_paths": { {{cgroupPaths}} },
         "namespace_paths": {"NEWPID": "/proc/14718/ns/pid"}, "external_descriptors": ["/dev/null"], "intel_rdt_path": "{{rdt}}"}
        """;

    private static StoppedContainerDelete.RuncState Parse(string json) =>
        StoppedContainerDelete.ParseState(Encoding.UTF8.GetBytes(json)) ?? throw new InvalidOperationException("not parsed");

    [Fact]
    public void Reads_the_init_and_every_cgroup_path_of_runcs_state()
    {
        var s = Parse(State());
        Assert.Equal(14718, s.InitPid);
        Assert.Equal(2834703UL, s.InitStart);
        Assert.True(s.PrivatePidNamespace);
        Assert.False(s.HasPoststopHooks);
        Assert.False(s.HasIntelRdt);
        Assert.Equal("/sys/fs/cgroup/unified/wharf/c1", s.CgroupPaths[""]);
        Assert.Equal("/sys/fs/cgroup/systemd/wharf/c1", s.CgroupPaths["name=systemd"]);
        Assert.Equal(6, s.CgroupPaths.Count);
    }

    [Fact]
    public void Notes_what_makes_it_runcs_job()
    {
        Assert.False(Parse(State(pidNs: """{"type": "NEWPID", "path": "/proc/1/ns/pid"}""")).PrivatePidNamespace);
        // --pid=host: no NEWPID entry at all.
        Assert.False(Parse(State(pidNs: """{"type": "NEWUTS", "path": ""}""")).PrivatePidNamespace);
        Assert.True(Parse(State(hooks: """{"poststop": [{"path": "/bin/true"}]}""")).HasPoststopHooks);
        Assert.False(Parse(State(hooks: """{"poststop": [], "prestart": [{"path": "/bin/true"}]}""")).HasPoststopHooks);
        Assert.True(Parse(State(rdt: "/sys/fs/resctrl/c1")).HasIntelRdt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"init_process_pid": 0, "init_process_start": 1, "config": {}, "cgroup_paths": {}}""")]
    [InlineData("""{"init_process_pid": 5, "init_process_start": 1, "config": {}}""")]
    [InlineData("""{"init_process_pid": 5, "init_process_start": 1, "config": {}, "cgroup_paths": {"cpu": 3}}""")]
    [InlineData("""{"init_process_pid": 5, "init_process_st""")]
    public void Declines_a_state_file_it_does_not_recognise(string json) =>
        Assert.Null(StoppedContainerDelete.ParseState(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Removes_only_directories_inside_the_cgroup_mounts()
    {
        var hybrid = CgroupMounts.Parse(HybridMountinfo);
        var dirs = StoppedContainerDelete.CgroupDirsToRemove(Parse(State()), hybrid);
        Assert.NotNull(dirs);
        Assert.Equal(6, dirs.Count);
        Assert.Contains("/sys/fs/cgroup/unified/wharf/c1", dirs);

        var v2 = CgroupMounts.Parse(PureV2Mountinfo);
        Assert.Equal(["/sys/fs/cgroup/wharf/c1"], StoppedContainerDelete.CgroupDirsToRemove(Parse(State(cgroupPaths: "\"\": \"/sys/fs/cgroup/wharf/c1\"")), v2));
        // blkio is not mounted in the hybrid sample: its path is not under any cgroup mount.
        Assert.Null(StoppedContainerDelete.CgroupDirsToRemove(Parse(State(cgroupPaths: "\"blkio\": \"/sys/fs/cgroup/blkio/wharf/c1\"")), hybrid));
    }

    [Theory]
    [InlineData("/sys/fs/cgroup/memory")]
    [InlineData("/sys/fs/cgroup/memory/")]
    [InlineData("/sys/fs/cgroup/memory/../../../etc")]
    [InlineData("/sys/fs/cgroup/memory/wharf/..")]
    [InlineData("/sys/fs/cgroup/memory//wharf")]
    [InlineData("/tmp/wharf/c1")]
    [InlineData("sys/fs/cgroup/memory/wharf/c1")]
    [InlineData("")]
    public void Never_removes_a_mount_point_or_anything_outside(string path)
    {
        var state = Parse(State(cgroupPaths: $"\"memory\": \"{path}\""));
        Assert.Null(StoppedContainerDelete.CgroupDirsToRemove(state, CgroupMounts.Parse(HybridMountinfo)));
    }

    [Theory]
    [InlineData(null, 100UL, true)]
    [InlineData("42 (sh) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 1 1 0 0 0", 100UL, false)]
    [InlineData("42 (sh) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 101 1 1 0 0 0", 100UL, true)]
    [InlineData("42 (sh) Z 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 1 1 0 0 0", 100UL, true)]
    [InlineData("42 (a b) c) R 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 1 1 0 0 0", 100UL, false)]
    [InlineData("42 (truncated", 100UL, false)]
    public void Follows_runcs_notion_of_a_stopped_init(string? stat, ulong start, bool stopped) =>
        Assert.Equal(stopped, StoppedContainerDelete.IsStopped(stat, start));

    private string WriteState(string id, string json)
    {
        var dir = Path.Combine(_root, id);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, StoppedContainerDelete.StateFileName), json);
        return dir;
    }

    [Fact]
    public async Task Removes_the_state_of_a_container_whose_init_is_gone()
    {
        // No cgroups to remove: the test runs without touching the host's cgroup tree.
        using var p = System.Diagnostics.Process.Start("true") ?? throw new InvalidOperationException("true did not start");
        p.WaitForExit();
        var dir = WriteState("gone", State(cgroupPaths: "", pid: p.Id));

        Assert.True(await StoppedContainerDelete.TryDeleteAsync(_root, "gone", CancellationToken.None));
        Assert.False(Directory.Exists(dir));
        // Already gone: nothing to do, and that is success.
        Assert.True(await StoppedContainerDelete.TryDeleteAsync(_root, "gone", CancellationToken.None));
    }

    [Fact]
    public async Task Leaves_a_running_or_created_container_to_runc()
    {
        // This test process plays the live init: same pid, same start time.
        var stat = File.ReadAllText("/proc/self/stat");
        var start = ulong.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture);
        var running = WriteState("running", State(cgroupPaths: "", pid: Environment.ProcessId, start: start));
        Assert.False(await StoppedContainerDelete.TryDeleteAsync(_root, "running", CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(running, StoppedContainerDelete.StateFileName)));

        using var p = System.Diagnostics.Process.Start("true") ?? throw new InvalidOperationException("true did not start");
        p.WaitForExit();
        var created = WriteState("created", State(cgroupPaths: "", pid: p.Id));
        File.WriteAllText(Path.Combine(created, ExecFifo.FileName), "");
        Assert.False(await StoppedContainerDelete.TryDeleteAsync(_root, "created", CancellationToken.None));

        var shared = WriteState("shared", State(cgroupPaths: "", pid: p.Id, pidNs: """{"type": "NEWPID", "path": "/proc/1/ns/pid"}"""));
        Assert.False(await StoppedContainerDelete.TryDeleteAsync(_root, "shared", CancellationToken.None));

        var outside = WriteState("outside", State(cgroupPaths: $"\"memory\": \"{_root}/cg\"", pid: p.Id));
        Directory.CreateDirectory(Path.Combine(_root, "cg"));
        Assert.False(await StoppedContainerDelete.TryDeleteAsync(_root, "outside", CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(_root, "cg")));
        Assert.True(Directory.Exists(outside) && Directory.Exists(shared) && Directory.Exists(created));
    }
}
