using Wharf.Api.Containers;
using Wharf.Runtime.Cgroups;

namespace Wharf.Engine.Containers;

/// <summary>Turns cgroup and /proc figures into Docker's stats JSON (moby daemon/stats_unix.go and
/// daemon/stats/collector.go).</summary>
public static class StatsMapper
{
    public static StatsCpu Cpu(CgroupSample s, ulong systemCpuUsage, uint onlineCpus) => new()
    {
        CpuUsage = new StatsCpuUsage
        {
            TotalUsage = s.CpuTotal,
            PercpuUsage = s.PerCpu is { Count: > 0 } per ? [.. per] : null,
            UsageInKernelmode = s.CpuSystem,
            UsageInUsermode = s.CpuUser,
        },
        SystemCpuUsage = systemCpuUsage,
        OnlineCpus = onlineCpus,
        ThrottlingData = new StatsThrottling
        {
            Periods = s.ThrottlePeriods,
            ThrottledPeriods = s.ThrottledPeriods,
            ThrottledTime = s.ThrottledTime,
        },
    };

    /// <param name="hostMemory">MemTotal: an unlimited container (or one limited above the host's memory)
    /// reports the host's memory as its limit, as Docker does.</param>
    public static ContainerStatsResponse Response(string name, string id, string read, CgroupSample s, StatsCpu cpu,
        IReadOnlyList<NetDevice>? networks, ulong hostMemory)
    {
        var limit = s.MemoryLimit ?? hostMemory;
        if (hostMemory > 0 && limit > hostMemory) limit = hostMemory;
        return new ContainerStatsResponse
        {
            Name = name,
            Id = id,
            Read = read,
            CpuStats = cpu,
            PidsStats = new StatsPids { Current = s.PidsCurrent, Limit = s.PidsLimit ?? 0 },
            MemoryStats = new StatsMemory
            {
                Usage = s.MemoryUsage,
                MaxUsage = s.MemoryMaxUsage,
                Failcnt = s.MemoryFailcnt,
                Limit = limit,
                Stats = new Dictionary<string, ulong>(s.MemoryStat),
            },
            BlkioStats = new StatsBlkio
            {
                IoServiceBytesRecursive = Entries(s.IoServiceBytes),
                IoServicedRecursive = Entries(s.IoServiced),
            },
            Networks = networks is { Count: > 0 }
                ? networks.ToDictionary(n => n.Name, n => new StatsNetwork
                {
                    RxBytes = n.RxBytes, RxPackets = n.RxPackets, RxErrors = n.RxErrors, RxDropped = n.RxDropped,
                    TxBytes = n.TxBytes, TxPackets = n.TxPackets, TxErrors = n.TxErrors, TxDropped = n.TxDropped,
                })
                : null,
        };
    }

    /// <summary>Docker writes null, not [], for a counter list the cgroup has nothing in.</summary>
    private static List<StatsBlkioEntry>? Entries(IReadOnlyList<BlkioEntry> list) =>
        list.Count == 0 ? null : list.Select(b => new StatsBlkioEntry { Major = b.Major, Minor = b.Minor, Op = b.Op, Value = b.Value }).ToList();

    /// <summary>The CPU % the docker CLI shows from two samples (cli stats_helpers.go calculateCPUPercentUnix).</summary>
    public static double CpuPercent(StatsCpu previous, StatsCpu current)
    {
        double cpuDelta = (double)current.CpuUsage.TotalUsage - previous.CpuUsage.TotalUsage;
        double systemDelta = (double)current.SystemCpuUsage - previous.SystemCpuUsage;
        double cpus = current.OnlineCpus != 0 ? current.OnlineCpus : current.CpuUsage.PercpuUsage?.Count ?? 0;
        return systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * cpus * 100 : 0;
    }
}
