using Wharf.Runtime.Cgroups;

namespace Wharf.Unit.Tests.Cgroups;

public sealed class CgroupSamplerTests
{
    [Fact]
    public void Reads_v1_files_from_controllers_mounted_apart()
    {
        using var t = new FakeCgroupTree();
        t.Write("cpuacct/c/cpuacct.usage", "3000000000\n");
        t.Write("cpuacct/c/cpuacct.usage_percpu", "1000000000 2000000000 \n");
        t.Write("cpuacct/c/cpuacct.stat", "user 150\nsystem 50\n");
        t.Write("cpu/c/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 12345\n");
        t.Write("memory/c/memory.usage_in_bytes", "10485760\n");
        t.Write("memory/c/memory.max_usage_in_bytes", "20971520\n");
        t.Write("memory/c/memory.limit_in_bytes", "33554432\n");
        t.Write("memory/c/memory.failcnt", "7\n");
        t.Write("memory/c/memory.stat", "cache 4096\nrss 8192\ntotal_inactive_file 1048576\n");
        t.Write("memory/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        t.Write("pids/c/pids.current", "3\n");
        t.Write("pids/c/pids.max", "max\n");
        t.Write("blkio/c/blkio.io_service_bytes_recursive", "Total 0\n");
        t.Write("blkio/c/blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n");

        var dirs = new CgroupDirs
        {
            Controllers = new Dictionary<string, string>
            {
                ["cpu"] = t.Path("cpu/c"), ["cpuacct"] = t.Path("cpuacct/c"), ["memory"] = t.Path("memory/c"),
                ["pids"] = t.Path("pids/c"), ["blkio"] = t.Path("blkio/c"),
            },
        };
        var s = CgroupSampler.Read(dirs);

        Assert.Equal(3_000_000_000UL, s.CpuTotal);
        Assert.Equal([1_000_000_000UL, 2_000_000_000UL], s.PerCpu);
        Assert.Equal(1_500_000_000UL, s.CpuUser); // 150 ticks of 10 ms
        Assert.Equal(500_000_000UL, s.CpuSystem);
        Assert.Equal((10UL, 4UL, 12345UL), (s.ThrottlePeriods, s.ThrottledPeriods, s.ThrottledTime));
        Assert.Equal(10485760UL, s.MemoryUsage);
        Assert.Equal(20971520UL, s.MemoryMaxUsage);
        Assert.Equal(33554432UL, s.MemoryLimit);
        Assert.Equal(7UL, s.MemoryFailcnt);
        Assert.Equal(1048576UL, s.MemoryStat["total_inactive_file"]);
        Assert.Equal(1UL, s.OomKills);
        Assert.Equal(3UL, s.PidsCurrent);
        Assert.Null(s.PidsLimit);
        // The CFQ file only had its Total line: the throttle layer's counters are used.
        Assert.Equal(
            [new BlkioEntry(8, 0, "Read", 4096), new BlkioEntry(8, 0, "Write", 8192), new BlkioEntry(8, 0, "Total", 12288)],
            s.IoServiceBytes);
    }

    [Fact]
    public void V1_unlimited_memory_and_missing_controllers_read_as_no_limit_and_zero()
    {
        using var t = new FakeCgroupTree();
        t.Write("memory/c/memory.limit_in_bytes", "9223372036854771712\n");
        var s = CgroupSampler.Read(new CgroupDirs { Controllers = new Dictionary<string, string> { ["memory"] = t.Path("memory/c") } });
        Assert.Null(s.MemoryLimit);
        Assert.Equal(0UL, s.CpuTotal);
        Assert.Null(s.PerCpu);
        Assert.Empty(s.IoServiceBytes);
    }

    [Fact]
    public void Reads_the_unified_files_of_a_v2_cgroup()
    {
        using var t = new FakeCgroupTree();
        t.Write("c/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 3\nnr_throttled 1\nthrottled_usec 40\n");
        t.Write("c/memory.current", "4194304\n");
        t.Write("c/memory.max", "max\n");
        t.Write("c/memory.stat", "anon 1024\ninactive_file 2048\n");
        t.Write("c/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
        t.Write("c/pids.current", "2\n");
        t.Write("c/pids.max", "64\n");
        t.Write("c/io.stat", "8:16 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");

        var s = CgroupSampler.Read(new CgroupDirs { Unified = true, UnifiedDir = t.Path("c") });

        Assert.Equal(2_500_000UL, s.CpuTotal);
        Assert.Equal(2_000_000UL, s.CpuUser);
        Assert.Equal(500_000UL, s.CpuSystem);
        Assert.Equal(40_000UL, s.ThrottledTime);
        Assert.Null(s.PerCpu);
        Assert.Equal(4194304UL, s.MemoryUsage);
        Assert.Null(s.MemoryLimit);
        Assert.Equal(2048UL, s.MemoryStat["inactive_file"]);
        Assert.Equal(1UL, s.OomKills);
        Assert.Equal(64UL, s.PidsLimit);
        Assert.Equal([new BlkioEntry(8, 16, "read", 100), new BlkioEntry(8, 16, "write", 200)], s.IoServiceBytes);
        Assert.Equal([new BlkioEntry(8, 16, "read", 1), new BlkioEntry(8, 16, "write", 2)], s.IoServiced);
    }

    [Fact]
    public void Parses_proc_stat_meminfo_and_net_dev()
    {
        const string stat = "cpu  100 5 50 1000 10 1 2 7 0 0\ncpu0 50 2 25 500 5 1 1 3 0 0\ncpu1 50 3 25 500 5 0 1 4 0 0\nintr 1\n";
        // user..softirq = 1168 ticks; steal is not counted, as moby.
        Assert.Equal(1168UL * 10_000_000, ProcStats.SystemCpuUsage(stat));
        Assert.Equal(2u, ProcStats.OnlineCpus(stat));
        Assert.Equal(2048UL * 1024, ProcStats.MemTotal("MemTotal:        2048 kB\nMemFree: 1 kB\n"));

        const string netDev = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
              eth0:    1500      10    1    2    0     0          0         0      900       8    3    4    0     0       0          0
            """;
        var dev = Assert.Single(ProcStats.NetDev(netDev));
        Assert.Equal(new NetDevice("eth0", 1500, 10, 1, 2, 900, 8, 3, 4), dev);
    }
}
