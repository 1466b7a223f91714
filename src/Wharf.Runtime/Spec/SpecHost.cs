using System.Globalization;
using System.Runtime.InteropServices;

namespace Wharf.Runtime.Spec;

/// <summary>
/// The facts about the host and the daemon process that decide what a spec may ask for. Detected once from
/// /proc and /sys; tests construct their own.
/// </summary>
public sealed record SpecHost
{
    /// <summary>CapBnd of this process: what --privileged can grant.</summary>
    public ulong BoundingCaps { get; init; }
    /// <summary>CapEff of this process (CAP_SYS_RESOURCE decides whether limits can be raised).</summary>
    public ulong EffectiveCaps { get; init; }
    /// <summary>Pure cgroup v2 (a cgroup2 mount at /sys/fs/cgroup).</summary>
    public bool CgroupV2 { get; init; }
    /// <summary>The memory controller can limit swap (v1 memory.memsw.*; always on v2). Without it Docker
    /// drops the swap limit with a warning instead of letting the runtime fail.</summary>
    public bool SwapAccounting { get; init; } = true;
    /// <summary>Hard rlimits of this process by Docker ulimit name (null = unlimited).</summary>
    public IReadOnlyDictionary<string, ulong?> HardLimits { get; init; } = new Dictionary<string, ulong?>();
    /// <summary>This process's oom_score_adj.</summary>
    public int OomScoreAdj { get; init; }
    /// <summary>/sys/devices/system/cpu/cpuN/thermal_throttle for every CPU directory present.</summary>
    public IReadOnlyList<string> ThermalThrottlePaths { get; init; } = [];
    /// <summary>net.ipv4.ip_unprivileged_port_start exists on this kernel.</summary>
    public bool HasUnprivilegedPortStart { get; init; }
    /// <summary>Kernel (major, minor).</summary>
    public (int Major, int Minor) Kernel { get; init; } = (6, 0);
    /// <summary>CPUs this process may run on (Go's runtime.NumCPU, which Docker's --cpus range is based on).</summary>
    public int CpuCount { get; init; } = Environment.ProcessorCount;
    /// <summary>Online CPUs and memory nodes as cpuset lists ("0-3"): what --cpuset-cpus/--cpuset-mems may name.</summary>
    public string OnlineCpus { get; init; } = "0";
    public string OnlineMems { get; init; } = "0";

    /// <summary>Docker's GOARCH-style name of the native architecture ("amd64", "arm64").</summary>
    public string Arch { get; init; } = "amd64";

    /// <summary>Lists the host's device nodes for --privileged (walked at each build: devices come and go).</summary>
    public Func<IReadOnlyList<SpecDevice>> HostDevices { get; init; } = () => [];

    public bool HasEffectiveCap(string name) => (EffectiveCaps & (1UL << Capabilities.Number(name))) != 0;

    private static readonly Lazy<SpecHost> Detected = new(Detect);

    public static SpecHost Current => Detected.Value;

    public static SpecHost Detect()
    {
        var status = File.ReadAllLines("/proc/self/status");
        ulong Cap(string key)
        {
            var line = status.FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
            return line is null ? 0 : ulong.Parse(line[(key.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        var mountinfo = File.ReadAllText("/proc/self/mountinfo");
        bool v2 = IsPureCgroupV2(mountinfo);
        return new SpecHost
        {
            BoundingCaps = Cap("CapBnd"),
            EffectiveCaps = Cap("CapEff"),
            CgroupV2 = v2,
            SwapAccounting = v2 || HasV1SwapAccounting(mountinfo),
            HardLimits = ParseLimits(File.ReadAllText("/proc/self/limits")),
            OomScoreAdj = int.Parse(File.ReadAllText("/proc/self/oom_score_adj").Trim(), CultureInfo.InvariantCulture),
            ThermalThrottlePaths = FindThermalThrottle(),
            HostDevices = () => Spec.HostDevices.List(),
            HasUnprivilegedPortStart = File.Exists("/proc/sys/net/ipv4/ip_unprivileged_port_start"),
            Kernel = ParseKernel(Environment.OSVersion.Version),
            OnlineCpus = ReadList("/sys/devices/system/cpu/online", $"0-{Environment.ProcessorCount - 1}"),
            OnlineMems = ReadList("/sys/devices/system/node/online", "0"),
            Arch = RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "amd64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "386",
                Architecture.Arm => "arm",
                Architecture.S390x => "s390x",
                Architecture.Ppc64le => "ppc64le",
                Architecture.RiscV64 => "riscv64",
                Architecture.LoongArch64 => "loong64",
                _ => "amd64",
            },
        };
    }

    private static bool HasV1SwapAccounting(string mountinfo)
    {
        foreach (var line in mountinfo.Split('\n'))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0) continue;
            var right = line[(sep + 3)..].Split(' ');
            if (right.Length < 3 || right[0] != "cgroup" || !right[2].Split(',').Contains("memory")) continue;
            return File.Exists(Path.Combine(line[..sep].Split(' ')[4], "memory.memsw.limit_in_bytes"));
        }
        return false;
    }

    private static string ReadList(string path, string fallback)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return fallback; }
    }

    private static (int, int) ParseKernel(Version v) => (v.Major, v.Minor);

    /// <summary>Pure v2 means /sys/fs/cgroup itself is a cgroup2 mount; the hybrid layout has cgroup2 only
    /// at /sys/fs/cgroup/unified and v1 hierarchies beside it.</summary>
    public static bool IsPureCgroupV2(string mountinfo)
    {
        foreach (var line in mountinfo.Split('\n'))
        {
            // "id parent major:minor root mountpoint opts [optional...] - fstype source superopts"
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0) continue;
            var left = line[..sep].Split(' ');
            var right = line[(sep + 3)..].Split(' ');
            if (left.Length >= 5 && left[4] == "/sys/fs/cgroup" && right.Length > 0 && right[0] == "cgroup2") return true;
        }
        return false;
    }

    private static readonly Dictionary<string, string> LimitRows = new()
    {
        ["Max cpu time"] = "cpu",
        ["Max file size"] = "fsize",
        ["Max data size"] = "data",
        ["Max stack size"] = "stack",
        ["Max core file size"] = "core",
        ["Max resident set"] = "rss",
        ["Max processes"] = "nproc",
        ["Max open files"] = "nofile",
        ["Max locked memory"] = "memlock",
        ["Max address space"] = "as",
        ["Max file locks"] = "locks",
        ["Max pending signals"] = "sigpending",
        ["Max msgqueue size"] = "msgqueue",
        ["Max nice priority"] = "nice",
        ["Max realtime priority"] = "rtprio",
        ["Max realtime timeout"] = "rttime",
    };

    /// <summary>Parses /proc/self/limits into hard limits by ulimit name.</summary>
    public static Dictionary<string, ulong?> ParseLimits(string text)
    {
        var result = new Dictionary<string, ulong?>();
        foreach (var line in text.Split('\n'))
        {
            foreach (var (row, name) in LimitRows)
            {
                if (!line.StartsWith(row + " ", StringComparison.Ordinal)) continue;
                var fields = line[row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2) continue;
                result[name] = fields[1] == "unlimited" ? null : ulong.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        return result;
    }

    private static List<string> FindThermalThrottle()
    {
        var list = new List<string>();
        const string cpuDir = "/sys/devices/system/cpu";
        if (!Directory.Exists(cpuDir)) return list;
        foreach (var dir in Directory.EnumerateDirectories(cpuDir, "cpu*"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length <= 3 || !name[3..].All(char.IsAsciiDigit)) continue;
            // Listed per existing CPU whether or not this kernel exposes the directory: runc skips a masked
            // path that does not exist, and a CPU may come online later.
            list.Add(Path.Combine(dir, "thermal_throttle"));
        }
        list.Sort((a, b) => CpuIndex(a).CompareTo(CpuIndex(b)));
        return list;
    }

    private static int CpuIndex(string throttlePath) =>
        int.Parse(Path.GetFileName(Path.GetDirectoryName(throttlePath)!)[3..], CultureInfo.InvariantCulture);
}
