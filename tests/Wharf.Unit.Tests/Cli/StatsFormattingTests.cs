using Wharf.Api.Containers;
using Wharf.Cli.Commands;
using Wharf.Cli.Formatting;

namespace Wharf.Unit.Tests.Cli;

public sealed class StatsFormattingTests
{
    [Theory]
    [InlineData(0, "0B")]
    [InlineData(1023, "1023B")]
    [InlineData(643072, "628KiB")]
    [InlineData(1536, "1.5KiB")]
    [InlineData(25275850752, "23.54GiB")]
    public void Binary_sizes_match_go_units_BytesSize(double bytes, string expected) =>
        Assert.Equal(expected, HumanUnits.BytesSize(bytes));

    [Fact]
    public void Cpu_percent_is_the_container_share_of_the_system_delta_times_the_cpus()
    {
        var s = new ContainerStatsResponse
        {
            CpuStats = new StatsCpu { CpuUsage = new StatsCpuUsage { TotalUsage = 3_000 }, SystemCpuUsage = 20_000, OnlineCpus = 2 },
            PreCpuStats = new StatsCpu { CpuUsage = new StatsCpuUsage { TotalUsage = 1_000 }, SystemCpuUsage = 10_000, OnlineCpus = 2 },
        };

        Assert.Equal(40.0, ManageVerbs.CpuPercent(s), 6);
    }

    [Fact]
    public void Cpu_percent_is_zero_without_a_previous_sample()
    {
        var s = new ContainerStatsResponse
        {
            CpuStats = new StatsCpu { CpuUsage = new StatsCpuUsage { TotalUsage = 3_000 }, SystemCpuUsage = 20_000, OnlineCpus = 2 },
        };
        s.PreCpuStats.SystemCpuUsage = 20_000;

        Assert.Equal(0.0, ManageVerbs.CpuPercent(s));
    }

    [Theory]
    [InlineData("total_inactive_file")] // cgroup v1
    [InlineData("inactive_file")] // cgroup v2
    public void Memory_usage_leaves_out_the_inactive_page_cache(string key)
    {
        var m = new StatsMemory { Usage = 10_000, Stats = new Dictionary<string, ulong> { [key] = 4_000 } };

        Assert.Equal(6_000, ManageVerbs.MemoryUsage(m));
    }

    [Theory]
    [InlineData(500, 1000, "500B (50%)")]
    [InlineData(0, 0, "0B")]
    [InlineData(2_000_000, 2_000_000, "2MB (100%)")]
    public void Reclaimable_space_reads_as_docker_system_df_prints_it(long reclaimable, long total, string expected) =>
        Assert.Equal(expected, ImageArchiveVerbs.Reclaimable(reclaimable, total));
}
