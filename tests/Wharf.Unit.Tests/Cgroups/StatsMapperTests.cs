using Wharf.Api.Containers;
using Wharf.Engine.Containers;
using Wharf.Runtime.Cgroups;

namespace Wharf.Unit.Tests.Cgroups;

public sealed class StatsMapperTests
{
    [Fact]
    public void Maps_a_sample_onto_dockers_stats_json()
    {
        var sample = new CgroupSample
        {
            CpuTotal = 2_000, CpuUser = 1_500, CpuSystem = 500, PerCpu = [1_000, 1_000],
            MemoryUsage = 10 << 20, MemoryLimit = 32 << 20, MemoryStat = new Dictionary<string, ulong> { ["total_inactive_file"] = 1 << 20 },
            PidsCurrent = 3, PidsLimit = 50,
            IoServiceBytes = [new BlkioEntry(8, 0, "Read", 4096)],
        };
        var cpu = StatsMapper.Cpu(sample, 1_000_000, 2);
        var r = StatsMapper.Response("/web", "abc", "2026-01-01T00:00:00Z", sample, cpu,
            [new NetDevice("eth0", 10, 1, 0, 0, 20, 2, 0, 0)], hostMemory: 1UL << 30);

        Assert.Equal("/web", r.Name);
        Assert.Equal(2_000UL, r.CpuStats.CpuUsage.TotalUsage);
        Assert.Equal(500UL, r.CpuStats.CpuUsage.UsageInKernelmode);
        Assert.Equal(2u, r.CpuStats.OnlineCpus);
        Assert.Equal(32UL << 20, r.MemoryStats.Limit);
        Assert.Equal((3UL, 50UL), (r.PidsStats.Current, r.PidsStats.Limit));
        Assert.Equal("Read", Assert.Single(r.BlkioStats.IoServiceBytesRecursive!).Op);
        Assert.Null(r.BlkioStats.IoServicedRecursive);
        Assert.Equal(20UL, r.Networks!["eth0"].TxBytes);

        var json = System.Text.Encoding.UTF8.GetString(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(r, ContainerJsonContext.Default.ContainerStatsResponse));
        Assert.Contains("\"cpu_usage\":{\"total_usage\":2000,\"percpu_usage\":[1000,1000]", json);
        Assert.Contains("\"io_serviced_recursive\":null", json);
        Assert.Contains("\"storage_stats\":{}", json);
        Assert.DoesNotContain("max_usage", json); // zero fields are omitted, as Go's omitempty
    }

    [Fact]
    public void Unlimited_memory_reports_the_hosts_memory_and_cpu_percent_follows_the_cli()
    {
        var r = StatsMapper.Response("/x", "id", "t", new CgroupSample(), new StatsCpu(), null, hostMemory: 1UL << 30);
        Assert.Equal(1UL << 30, r.MemoryStats.Limit);
        Assert.Null(r.Networks);

        var before = StatsMapper.Cpu(new CgroupSample { CpuTotal = 1_000_000_000 }, 10_000_000_000, 2);
        var after = StatsMapper.Cpu(new CgroupSample { CpuTotal = 1_500_000_000 }, 12_000_000_000, 2);
        // Half a CPU-second over two host CPU-seconds on 2 CPUs: 50 %.
        Assert.Equal(50.0, StatsMapper.CpuPercent(before, after), 3);
    }
}
