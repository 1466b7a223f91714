namespace Wharf.Runtime.Cgroups;

/// <summary>What a container's cgroups say at one moment, in Docker's units (nanoseconds, bytes).</summary>
public sealed record CgroupSample
{
    public ulong CpuTotal { get; init; }
    public ulong CpuUser { get; init; }
    public ulong CpuSystem { get; init; }
    /// <summary>Per-CPU usage (v1 cpuacct only; v2 has no such file).</summary>
    public IReadOnlyList<ulong>? PerCpu { get; init; }
    public ulong ThrottlePeriods { get; init; }
    public ulong ThrottledPeriods { get; init; }
    public ulong ThrottledTime { get; init; }

    public ulong MemoryUsage { get; init; }
    /// <summary>Peak usage (v1 max_usage_in_bytes; v2 memory.peak where the kernel has it).</summary>
    public ulong MemoryMaxUsage { get; init; }
    public ulong MemoryFailcnt { get; init; }
    /// <summary>The limit in bytes; null when unlimited.</summary>
    public ulong? MemoryLimit { get; init; }
    public IReadOnlyDictionary<string, ulong> MemoryStat { get; init; } = new Dictionary<string, ulong>();
    /// <summary>How many times the kernel's OOM killer killed a process of this cgroup.</summary>
    public ulong OomKills { get; init; }

    public ulong PidsCurrent { get; init; }
    /// <summary>null when unlimited ("max").</summary>
    public ulong? PidsLimit { get; init; }

    public IReadOnlyList<BlkioEntry> IoServiceBytes { get; init; } = [];
    public IReadOnlyList<BlkioEntry> IoServiced { get; init; } = [];
}
