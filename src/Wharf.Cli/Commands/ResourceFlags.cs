using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>The resource flags of `run`/`create` (docker's cli/command/container/opts.go), filled into HostConfig.</summary>
internal static class ResourceFlags
{
    public static readonly FlagSpec[] Specs =
    [
        FlagSpec.Value("memory", 'm'),
        FlagSpec.Value("memory-swap"),
        FlagSpec.Value("memory-reservation"),
        FlagSpec.Value("cpus"),
        FlagSpec.Value("cpu-shares", 'c'),
        FlagSpec.Value("cpu-period"),
        FlagSpec.Value("cpu-quota"),
        FlagSpec.Value("cpuset-cpus"),
        FlagSpec.Value("cpuset-mems"),
        FlagSpec.Value("pids-limit"),
        FlagSpec.Value("ulimit"),
        FlagSpec.Value("oom-score-adj"),
        FlagSpec.Value("shm-size"),
    ];

    public static void Apply(ParsedFlags flags, HostConfig hc)
    {
        hc.Memory = Bytes(flags, "memory");
        // "-1" means unlimited swap; everything else is a size.
        hc.MemorySwap = flags.Value("memory-swap") == "-1" ? -1 : Bytes(flags, "memory-swap");
        hc.MemoryReservation = Bytes(flags, "memory-reservation");
        hc.ShmSize = Bytes(flags, "shm-size");
        if (flags.Value("cpus") is { } cpus)
        {
            if (!decimal.TryParse(cpus, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                throw new UsageException($"invalid argument \"{cpus}\" for \"--cpus\" flag: failed to parse {cpus} as a rational number");
            hc.NanoCpus = (long)(n * 1_000_000_000m);
        }
        hc.CpuShares = Long(flags, "cpu-shares") ?? 0;
        hc.CpuPeriod = Long(flags, "cpu-period") ?? 0;
        hc.CpuQuota = Long(flags, "cpu-quota") ?? 0;
        hc.CpusetCpus = flags.Value("cpuset-cpus") ?? "";
        hc.CpusetMems = flags.Value("cpuset-mems") ?? "";
        if (Long(flags, "pids-limit") is { } pids) hc.PidsLimit = pids;
        hc.OomScoreAdj = (int)(Long(flags, "oom-score-adj") ?? 0);
        if (flags.Values("ulimit").Count > 0) hc.Ulimits = flags.Values("ulimit").Select(ParseUlimit).ToList();
    }

    /// <summary>"name=soft[:hard]", -1 for unlimited (go-units ParseUlimit).</summary>
    public static Ulimit ParseUlimit(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new UsageException($"invalid argument \"{value}\" for \"--ulimit\" flag: invalid ulimit argument: {value}");
        var limits = value[(eq + 1)..].Split(':');
        if (limits.Length > 2 || !long.TryParse(limits[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var soft))
            throw new UsageException($"invalid argument \"{value}\" for \"--ulimit\" flag: invalid ulimit argument: {value}");
        long hard = soft;
        if (limits.Length == 2 && !long.TryParse(limits[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out hard))
            throw new UsageException($"invalid argument \"{value}\" for \"--ulimit\" flag: invalid ulimit argument: {value}");
        return new Ulimit { Name = value[..eq], Soft = soft, Hard = hard };
    }

    /// <summary>go-units RAMInBytes: a number with an optional b/k/m/g/t/p suffix (powers of 1024, "b"/"ib" optional).</summary>
    public static long RamInBytes(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s.EndsWith("ib", StringComparison.Ordinal)) s = s[..^2];
        else if (s.EndsWith('b') && s.Length > 1 && !char.IsAsciiDigit(s[^2])) s = s[..^1];
        long unit = 1;
        if (s.Length > 0 && "bkmgtp".IndexOf(s[^1], StringComparison.Ordinal) is var i and >= 0)
        {
            unit = 1L << (10 * i);
            s = s[..^1];
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || s.Length == 0)
            throw new FormatException($"invalid size: '{text}'");
        return (long)(n * unit);
    }

    private static long Bytes(ParsedFlags flags, string name)
    {
        if (flags.Value(name) is not { } v) return 0;
        try { return RamInBytes(v); }
        catch (FormatException ex) { throw new UsageException($"invalid argument \"{v}\" for \"--{name}\" flag: {ex.Message}"); }
    }

    private static long? Long(ParsedFlags flags, string name)
    {
        if (flags.Value(name) is not { } v) return null;
        return long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax");
    }
}
