using System.Globalization;

namespace Wharf.Runtime.Cgroups;

/// <summary>Host-wide and per-process figures Docker's stats add to the cgroup ones, parsed from /proc text.</summary>
public static class ProcStats
{
    /// <summary>Host CPU time in nanoseconds from /proc/stat's "cpu" line: user through softirq, as moby's
    /// getSystemCPUUsage (the denominator of the CPU % the CLI shows).</summary>
    public static ulong SystemCpuUsage(string procStat)
    {
        foreach (var line in procStat.Split('\n'))
        {
            if (!line.StartsWith("cpu ", StringComparison.Ordinal)) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            ulong ticks = 0;
            for (int i = 1; i < f.Length && i <= 7; i++)
                ticks += ulong.Parse(f[i], CultureInfo.InvariantCulture);
            return ticks * (1_000_000_000 / 100);
        }
        return 0;
    }

    /// <summary>The number of "cpuN" lines of /proc/stat: the CPUs online now.</summary>
    public static uint OnlineCpus(string procStat) =>
        (uint)procStat.Split('\n').Count(l => l.StartsWith("cpu", StringComparison.Ordinal) && l.Length > 3 && char.IsAsciiDigit(l[3]));

    /// <summary>MemTotal of /proc/meminfo in bytes (Docker caps an unlimited container's limit at it).</summary>
    public static ulong MemTotal(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return ulong.Parse(f[1], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>/proc/&lt;pid&gt;/net/dev of the container's init: its network namespace's interfaces, loopback left
    /// out as Docker does.</summary>
    public static IReadOnlyList<NetDevice> NetDev(string text)
    {
        var list = new List<NetDevice>();
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var name = line[..colon].Trim();
            if (name.Length == 0 || name == "lo" || name.Contains(' ', StringComparison.Ordinal)) continue;
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 16) continue;
            ulong F(int i) => ulong.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
            list.Add(new NetDevice(name, F(0), F(1), F(2), F(3), F(8), F(9), F(10), F(11)));
        }
        return list;
    }
}
