using System.Globalization;
using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// Docker's checks on container resources (moby daemon/daemon_unix.go verifyPlatformContainerResources), with its
/// words. Run at create and at update so a bad value is a 400 then, not a failed start later.
/// </summary>
public static class ResourceRules
{
    /// <summary>Docker's floor for --memory and --memory-reservation (linuxMinMemory).</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    public static void Validate(SpecInputResources r, SpecHost host)
    {
        if (r.Memory < 0 || r.MemorySwap < -1 || r.MemoryReservation < 0)
            throw WharfException.Invalid("memory values must not be negative");
        if (r.Memory > 0 && r.Memory < MinimumMemory)
            throw WharfException.Invalid("Minimum memory limit allowed is 6MB");
        if (r.MemorySwap > 0 && r.Memory == 0)
            throw WharfException.Invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
        if (r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory)
            throw WharfException.Invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
        if (r.MemoryReservation > 0 && r.MemoryReservation < MinimumMemory)
            throw WharfException.Invalid("Minimum memory reservation allowed is 6MB");
        if (r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation)
            throw WharfException.Invalid("Minimum memory limit can not be less than memory reservation limit, see usage");

        if (r.NanoCpus > 0 && r.CpuPeriod > 0)
            throw WharfException.Invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        if (r.NanoCpus > 0 && r.CpuQuota > 0)
            throw WharfException.Invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        if (r.NanoCpus < 0 || (r.NanoCpus > 0 && (r.NanoCpus < 10_000_000 || r.NanoCpus > host.CpuCount * 1_000_000_000L)))
            throw WharfException.Invalid(
                $"Range of CPUs is from 0.01 to {host.CpuCount}.00, as there are only {host.CpuCount} CPUs available");
        if (r.CpuPeriod != 0 && (r.CpuPeriod < 1000 || r.CpuPeriod > 1_000_000))
            throw WharfException.Invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        if (r.CpuQuota > 0 && r.CpuQuota < 1000)
            throw WharfException.Invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        if (r.CpuShares < 0)
            throw WharfException.Invalid("shares: invalid argument");

        CheckCpuset(r.CpusetCpus, host.OnlineCpus, "cpuset cpus", "CPUs");
        CheckCpuset(r.CpusetMems, host.OnlineMems, "cpuset mems", "memory nodes");
    }

    private static void CheckCpuset(string? requested, string available, string what, string noun)
    {
        if (string.IsNullOrEmpty(requested)) return;
        var wanted = ParseList(requested) ?? throw WharfException.Invalid($"Invalid value {requested} for {what}");
        var have = ParseList(available) ?? [];
        if (!wanted.IsSubsetOf(have))
            throw WharfException.Invalid($"Requested {noun} are not available - requested {requested}, available: {available}");
    }

    /// <summary>Parses a kernel cpuset list ("0-2,5"); null when malformed.</summary>
    public static HashSet<int>? ParseList(string text)
    {
        var set = new HashSet<int>();
        if (text.Trim().Length == 0) return set;
        foreach (var part in text.Trim().Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2) return null;
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var lo)) return null;
            int hi = lo;
            if (bounds.Length == 2 && !int.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out hi)) return null;
            if (hi < lo) return null;
            for (int i = lo; i <= hi; i++) set.Add(i);
        }
        return set;
    }
}
