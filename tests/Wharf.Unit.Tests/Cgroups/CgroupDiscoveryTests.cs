using Wharf.Runtime.Cgroups;

namespace Wharf.Unit.Tests.Cgroups;

public sealed class CgroupDiscoveryTests
{
    /// <summary>This machine's layout: cgroup v1 hybrid, cpu and cpuacct mounted apart, cgroup2 at unified/.</summary>
    private const string HybridApart = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    /// <summary>The common systemd layout: cpu and cpuacct co-mounted, with symlinks beside it.</summary>
    private const string HybridTogether = """
        25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755
        26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate
        30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
        31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
        """;

    private const string PureV2 = """
        24 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """;

    [Fact]
    public void Finds_each_v1_controller_where_it_is_mounted_apart()
    {
        var mounts = CgroupMounts.Parse(HybridApart);
        var dirs = CgroupDirs.Resolve(mounts, "8:pids:/wharf/c1\n4:memory:/wharf/c1\n2:cpuacct:/wharf/c1\n1:cpu:/wharf/c1\n0::/\n");
        Assert.False(dirs.Unified);
        Assert.Equal("/sys/fs/cgroup/cpu/wharf/c1", dirs.Dir("cpu"));
        Assert.Equal("/sys/fs/cgroup/cpuacct/wharf/c1", dirs.Dir("cpuacct"));
        Assert.Equal("/sys/fs/cgroup/memory/wharf/c1", dirs.Dir("memory"));
        Assert.Equal("/sys/fs/cgroup/pids/wharf/c1", dirs.Dir("pids"));
        Assert.Null(dirs.Dir("blkio"));
        // name=systemd is a named hierarchy, not a controller.
        Assert.DoesNotContain(mounts, m => m.Controllers.Contains("name=systemd"));
    }

    [Fact]
    public void Finds_cpu_and_cpuacct_in_one_comounted_hierarchy()
    {
        var dirs = CgroupDirs.Resolve(CgroupMounts.Parse(HybridTogether), "5:cpu,cpuacct:/wharf/c2\n3:memory:/wharf/c2\n0::/init.scope\n");
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/wharf/c2", dirs.Dir("cpu"));
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/wharf/c2", dirs.Dir("cpuacct"));
        Assert.False(dirs.Unified);
    }

    [Fact]
    public void Uses_the_unified_directory_on_a_pure_v2_host()
    {
        var dirs = CgroupDirs.Resolve(CgroupMounts.Parse(PureV2), "0::/wharf/c3\n");
        Assert.True(dirs.Unified);
        Assert.Equal("/sys/fs/cgroup/wharf/c3", dirs.Dir("memory"));
        Assert.Equal("/sys/fs/cgroup/wharf/c3", dirs.Dir("cpu"));
    }

    [Fact]
    public void Strips_the_mount_root_of_a_namespaced_mount()
    {
        const string nested = "50 40 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        var dirs = CgroupDirs.Resolve(CgroupMounts.Parse(nested), "4:memory:/docker/abc/wharf/c4\n");
        Assert.Equal("/sys/fs/cgroup/memory/wharf/c4", dirs.Dir("memory"));
    }

    [Fact]
    public void Resolves_a_live_process_on_this_host()
    {
        var dirs = CgroupDirs.ForPid(Environment.ProcessId);
        Assert.NotNull(dirs);
        var memory = dirs!.Dir("memory");
        Assert.NotNull(memory);
        Assert.True(Directory.Exists(memory), memory);
    }
}
