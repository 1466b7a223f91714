namespace Wharf.Runtime.Spec;

/// <summary>Docker HostConfig resource fields, with Docker's meanings (0 = unset).</summary>
public sealed record SpecInputResources
{
    /// <summary>Memory limit in bytes.</summary>
    public long Memory { get; init; }
    /// <summary>Memory+swap in bytes; -1 unlimited; 0 with Memory set = 2×Memory (Docker).</summary>
    public long MemorySwap { get; init; }
    public long MemoryReservation { get; init; }
    public long CpuShares { get; init; }
    public long CpuQuota { get; init; }
    public long CpuPeriod { get; init; }
    /// <summary>--cpus in 1e-9 CPUs; turned into quota/period 100ms as Docker.</summary>
    public long NanoCpus { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    /// <summary>&gt; 0 limits; 0 or -1 = unlimited.</summary>
    public long PidsLimit { get; init; }
    public bool OomKillDisable { get; init; }
}
