using System.Globalization;

namespace Wharf.Runtime.Cgroups;

/// <summary>Reads a <see cref="CgroupSample"/> from cgroup v1 files (cpuacct, cpu, memory, pids, blkio, each
/// possibly mounted apart) or from a v2 unified directory. Missing files read as zero: a controller may not be
/// mounted, and the cgroup may vanish while it is read.</summary>
public static class CgroupSampler
{
    /// <summary>USER_HZ: the unit of cpuacct.stat (100 on every Linux ABI .NET runs on).</summary>
    private const ulong ClockTicks = 100;

    /// <summary>v1 "unlimited" is a page-rounded LONG_MAX; anything this large means no limit.</summary>
    private const ulong V1Unlimited = 1UL << 62;

    public static CgroupSample Read(CgroupDirs dirs) => dirs.Unified ? ReadV2(dirs.UnifiedDir!) : ReadV1(dirs);

    private static CgroupSample ReadV1(CgroupDirs dirs)
    {
        var cpuacct = dirs.Dir("cpuacct");
        var cpu = dirs.Dir("cpu");
        var memory = dirs.Dir("memory");
        var pids = dirs.Dir("pids");
        var blkio = dirs.Dir("blkio");

        var acctStat = KeyValues(cpuacct, "cpuacct.stat");
        var cpuStat = KeyValues(cpu, "cpu.stat");
        var limit = Number(memory, "memory.limit_in_bytes");
        return new CgroupSample
        {
            CpuTotal = Number(cpuacct, "cpuacct.usage"),
            PerCpu = Text(cpuacct, "cpuacct.usage_percpu") is { } per ? Numbers(per) : null,
            CpuUser = acctStat.GetValueOrDefault("user") * (1_000_000_000 / ClockTicks),
            CpuSystem = acctStat.GetValueOrDefault("system") * (1_000_000_000 / ClockTicks),
            ThrottlePeriods = cpuStat.GetValueOrDefault("nr_periods"),
            ThrottledPeriods = cpuStat.GetValueOrDefault("nr_throttled"),
            ThrottledTime = cpuStat.GetValueOrDefault("throttled_time"),
            MemoryUsage = Number(memory, "memory.usage_in_bytes"),
            MemoryMaxUsage = Number(memory, "memory.max_usage_in_bytes"),
            MemoryFailcnt = Number(memory, "memory.failcnt"),
            MemoryLimit = limit == 0 || limit >= V1Unlimited ? null : limit,
            MemoryStat = KeyValues(memory, "memory.stat"),
            OomKills = KeyValues(memory, "memory.oom_control").GetValueOrDefault("oom_kill"),
            PidsCurrent = Number(pids, "pids.current"),
            PidsLimit = Limit(pids, "pids.max"),
            // CFQ/BFQ accounting when the scheduler keeps it, else the throttle layer that always counts.
            IoServiceBytes = FirstNonEmpty(blkio, "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"),
            IoServiced = FirstNonEmpty(blkio, "blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced"),
        };
    }

    private static CgroupSample ReadV2(string dir)
    {
        var cpuStat = KeyValues(dir, "cpu.stat");
        var (bytes, ios) = IoStat(Text(dir, "io.stat"));
        return new CgroupSample
        {
            CpuTotal = cpuStat.GetValueOrDefault("usage_usec") * 1000,
            CpuUser = cpuStat.GetValueOrDefault("user_usec") * 1000,
            CpuSystem = cpuStat.GetValueOrDefault("system_usec") * 1000,
            ThrottlePeriods = cpuStat.GetValueOrDefault("nr_periods"),
            ThrottledPeriods = cpuStat.GetValueOrDefault("nr_throttled"),
            ThrottledTime = cpuStat.GetValueOrDefault("throttled_usec") * 1000,
            MemoryUsage = Number(dir, "memory.current"),
            MemoryMaxUsage = Number(dir, "memory.peak"),
            MemoryLimit = Limit(dir, "memory.max"),
            MemoryStat = KeyValues(dir, "memory.stat"),
            OomKills = KeyValues(dir, "memory.events").GetValueOrDefault("oom_kill"),
            PidsCurrent = Number(dir, "pids.current"),
            PidsLimit = Limit(dir, "pids.max"),
            IoServiceBytes = bytes,
            IoServiced = ios,
        };
    }

    /// <summary>v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device, reported the way
    /// Docker maps it onto the v1 shape (ops "read" and "write").</summary>
    public static (List<BlkioEntry> Bytes, List<BlkioEntry> Ios) IoStat(string? text)
    {
        var bytes = new List<BlkioEntry>();
        var ios = new List<BlkioEntry>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !TryDevice(fields[0], out var major, out var minor)) continue;
            foreach (var f in fields.Skip(1))
            {
                var eq = f.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 || !ulong.TryParse(f.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var v)) continue;
                switch (f[..eq])
                {
                    case "rbytes": bytes.Add(new BlkioEntry(major, minor, "read", v)); break;
                    case "wbytes": bytes.Add(new BlkioEntry(major, minor, "write", v)); break;
                    case "rios": ios.Add(new BlkioEntry(major, minor, "read", v)); break;
                    case "wios": ios.Add(new BlkioEntry(major, minor, "write", v)); break;
                }
            }
        }
        return (bytes, ios);
    }

    /// <summary>v1 blkio lines: "8:0 Read 4096"; the closing "Total N" line has no device and is skipped.</summary>
    public static List<BlkioEntry> Blkio(string? text)
    {
        var list = new List<BlkioEntry>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3 || !TryDevice(f[0], out var major, out var minor)) continue;
            if (ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                list.Add(new BlkioEntry(major, minor, f[1], v));
        }
        return list;
    }

    private static List<BlkioEntry> FirstNonEmpty(string? dir, params string[] files)
    {
        foreach (var f in files)
        {
            var entries = Blkio(Text(dir, f));
            if (entries.Count > 0) return entries;
        }
        return [];
    }

    private static bool TryDevice(string s, out ulong major, out ulong minor)
    {
        major = minor = 0;
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
               && ulong.TryParse(s.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out major)
               && ulong.TryParse(s.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out minor);
    }

    private static string? Text(string? dir, string file)
    {
        if (dir is null) return null;
        try { return File.ReadAllText(Path.Combine(dir, file)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static ulong Number(string? dir, string file) =>
        ulong.TryParse(Text(dir, file)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>A limit file: a number, or "max" (null).</summary>
    private static ulong? Limit(string? dir, string file)
    {
        var t = Text(dir, file)?.Trim();
        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    private static List<ulong> Numbers(string text) =>
        text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .ToList();

    /// <summary>"key value" lines (cpu.stat, memory.stat, memory.events, memory.oom_control).</summary>
    private static Dictionary<string, ulong> KeyValues(string? dir, string file)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in (Text(dir, file) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 2 && ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v)) result[f[0]] = v;
        }
        return result;
    }
}
