using Wharf.Api.Containers;
using Wharf.Runtime.Spec;

namespace Wharf.Engine.Containers;

/// <summary>The resource fields of a HostConfig in the spec builder's terms (create, start and update share it).</summary>
internal static class HostResources
{
    public static SpecInputResources From(HostConfig hc) => new()
    {
        Memory = hc.Memory,
        MemorySwap = hc.MemorySwap,
        MemoryReservation = hc.MemoryReservation,
        CpuShares = hc.CpuShares,
        CpuQuota = hc.CpuQuota,
        CpuPeriod = hc.CpuPeriod,
        NanoCpus = hc.NanoCpus,
        CpusetCpus = string.IsNullOrEmpty(hc.CpusetCpus) ? null : hc.CpusetCpus,
        CpusetMems = string.IsNullOrEmpty(hc.CpusetMems) ? null : hc.CpusetMems,
        PidsLimit = hc.PidsLimit ?? 0,
        OomKillDisable = hc.OomKillDisable ?? false,
    };

    public static List<SpecUlimit> Ulimits(HostConfig hc) =>
        (hc.Ulimits ?? []).Select(u => new SpecUlimit(u.Name, u.Soft, u.Hard)).ToList();

    /// <summary>Docker's checks at create, and its defaults written back so inspect shows them: a memory limit
    /// without a swap limit gets swap = 2 × memory (moby adaptContainerSettings).</summary>
    public static void ValidateAndDefault(HostConfig hc, SpecHost host)
    {
        SpecBuilder.ValidateLimits(From(hc), Ulimits(hc), hc.OomScoreAdj != 0 ? hc.OomScoreAdj : null, host);
        if (hc.Memory > 0 && hc.MemorySwap == 0) hc.MemorySwap = 2 * hc.Memory;
    }
}
