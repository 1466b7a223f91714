using System.Globalization;
using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// Turns a <see cref="SpecInput"/> into the config.json runc runs, with Docker's defaults
/// (moby daemon/pkg/oci/defaults.go and daemon/oci_linux.go createSpec). Capabilities are decided first and
/// the seccomp profile is resolved against them, so a cap-add also opens that capability's syscalls.
/// </summary>
public static class SpecBuilder
{
    /// <summary>Docker's PATH for Linux containers whose image sets none.</summary>
    public const string DefaultPathEnv = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Where --init's binary is bound inside the container.</summary>
    public const string ContainerInitPath = "/sbin/docker-init";

    /// <summary>Docker's masked paths (the per-CPU thermal_throttle entries are added from the host).</summary>
    public static IReadOnlyList<string> DefaultMaskedPaths { get; } =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];

    public static IReadOnlyList<string> DefaultReadonlyPaths { get; } =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>Mounts a read-only rootfs leaves writable, as Docker.</summary>
    private static readonly HashSet<string> WritableUnderReadonlyRootfs = ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue"];

    /// <summary>Docker ulimit names → OCI rlimit types.</summary>
    private static readonly Dictionary<string, string> RlimitTypes = new()
    {
        ["as"] = "RLIMIT_AS", ["core"] = "RLIMIT_CORE", ["cpu"] = "RLIMIT_CPU", ["data"] = "RLIMIT_DATA",
        ["fsize"] = "RLIMIT_FSIZE", ["locks"] = "RLIMIT_LOCKS", ["memlock"] = "RLIMIT_MEMLOCK",
        ["msgqueue"] = "RLIMIT_MSGQUEUE", ["nice"] = "RLIMIT_NICE", ["nofile"] = "RLIMIT_NOFILE",
        ["nproc"] = "RLIMIT_NPROC", ["rss"] = "RLIMIT_RSS", ["rtprio"] = "RLIMIT_RTPRIO",
        ["rttime"] = "RLIMIT_RTTIME", ["sigpending"] = "RLIMIT_SIGPENDING", ["stack"] = "RLIMIT_STACK",
    };

    /// <summary>Docker's floor for --memory (daemon/daemon_unix.go linuxMinMemory).</summary>
    public const long MinimumMemory = ResourceRules.MinimumMemory;

    public static RuntimeSpec Build(SpecInput input) => Build(input, SpecHost.Current);

    public static RuntimeSpec Build(SpecInput input, SpecHost host)
    {
        if (input.Args.Count == 0) throw WharfException.Invalid("no command specified");
        if (string.IsNullOrEmpty(input.RootfsPath)) throw WharfException.Invalid("rootfs path is empty");

        var caps = Capabilities.Tweak(input.CapAdd, input.CapDrop, input.Privileged, host.BoundingCaps);
        bool hostNetwork = input.NetworkMode == SpecNetworkMode.Host;

        var args = new List<string>();
        if (input.InitPath is not null) args.AddRange([ContainerInitPath, "--"]);
        args.AddRange(input.Args);

        var process = new SpecProcess
        {
            Terminal = input.Tty,
            ConsoleSize = input.Tty && input.ConsoleHeight > 0 && input.ConsoleWidth > 0
                ? new SpecConsoleSize { Height = (uint)input.ConsoleHeight, Width = (uint)input.ConsoleWidth }
                : null,
            User = new SpecUser
            {
                Uid = input.User.Uid,
                Gid = input.User.Gid,
                AdditionalGids = input.User.AdditionalGids.Count > 0 ? [.. input.User.AdditionalGids] : null,
            },
            Args = args,
            Env = BuildEnv(input),
            Cwd = string.IsNullOrEmpty(input.Cwd) ? "/" : input.Cwd,
            Capabilities = new SpecCapabilities
            {
                // Inheritable and Ambient stay empty: a non-empty inheritable set was CVE-2022-24769.
                Bounding = [.. caps],
                Effective = [.. caps],
                Permitted = [.. caps],
                Inheritable = [],
                Ambient = [],
            },
            Rlimits = BuildRlimits(input.Ulimits, host),
            NoNewPrivileges = input.NoNewPrivileges,
            OomScoreAdj = BuildOomScoreAdj(input.OomScoreAdj, host),
        };

        var (userDevices, userRules) = BuildUserDevices(input);
        var devices = input.Privileged ? [.. host.HostDevices(), .. userDevices] : userDevices;
        var resources = BuildResources(input, host);
        if (!input.Privileged) resources.Devices!.AddRange(userRules);

        var linux = new SpecLinux
        {
            Namespaces = BuildNamespaces(input, host),
            Devices = devices.Count > 0 ? devices : null,
            CgroupsPath = input.CgroupsPath,
            Resources = resources,
            MaskedPaths = input.Privileged ? null : [.. DefaultMaskedPaths, .. host.ThermalThrottlePaths],
            ReadonlyPaths = input.Privileged ? null : [.. DefaultReadonlyPaths],
            Seccomp = input.Privileged || input.SeccompUnconfined ? null
                : input.SeccompProfileJson is { } profile ? DockerSeccompProfile.Render(profile, caps, host.Arch, host.Kernel)
                : DefaultSeccompProfile.Render(caps, host.Arch, host.Kernel),
            Sysctl = BuildSysctls(input, host, hostNetwork),
        };

        return new RuntimeSpec
        {
            Process = process,
            Root = new SpecRoot { Path = input.RootfsPath, Readonly = input.ReadonlyRootfs },
            // With the host's UTS namespace the container keeps the host's name; runc refuses a hostname there.
            Hostname = hostNetwork ? null : input.Hostname,
            Mounts = BuildMounts(input),
            Linux = linux,
            Annotations = input.Annotations.Count > 0 ? new Dictionary<string, string>(input.Annotations) : null,
        };
    }

    /// <summary>Docker's CreateDaemonEnvironment: PATH, HOSTNAME, TERM (tty), then the container's env replacing
    /// same-named entries in place or appending; "KEY" without "=" unsets.</summary>
    public static List<string> BuildEnv(SpecInput input)
    {
        var env = new List<string?> { "PATH=" + DefaultPathEnv, "HOSTNAME=" + input.Hostname };
        if (input.Tty) env.Add("TERM=xterm");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < env.Count; i++) index[env[i]![..env[i]!.IndexOf('=', StringComparison.Ordinal)]] = i;

        foreach (var value in input.Env)
        {
            int eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (index.TryGetValue(value, out var j)) env[j] = null;
                continue;
            }
            if (index.TryGetValue(value[..eq], out var k)) env[k] = value;
            else env.Add(value);
        }
        return env.Where(e => e is not null).Select(e => e!).ToList();
    }

    private static List<SpecRlimit>? BuildRlimits(IReadOnlyList<SpecUlimit> ulimits, SpecHost host)
    {
        if (ulimits.Count == 0) return null;
        bool canRaise = host.HasEffectiveCap("CAP_SYS_RESOURCE");
        var list = new List<SpecRlimit>();
        foreach (var u in ulimits)
        {
            var name = u.Name.ToLowerInvariant();
            if (!RlimitTypes.TryGetValue(name, out var type)) throw WharfException.Invalid($"invalid ulimit type: {u.Name}");
            ulong soft = u.Soft < 0 ? ulong.MaxValue : (ulong)u.Soft;
            ulong hard = u.Hard < 0 ? ulong.MaxValue : (ulong)u.Hard;
            if (soft > hard)
                throw WharfException.Invalid($"ulimit soft limit must be less than or equal to hard limit: {Show(soft)} > {Show(hard)}");
            // runc sets rlimits with setrlimit in the container's init: raising a hard limit above the one
            // it inherits needs CAP_SYS_RESOURCE, and without it runc fails with "error setting rlimit type N".
            if (!canRaise && host.HardLimits.TryGetValue(name, out var hostHard) && hostHard is { } max && hard > max)
                throw WharfException.Invalid(
                    $"ulimit {name}={Show(soft)}:{Show(hard)} exceeds the daemon's own hard limit of {max}; "
                    + "raising it needs CAP_SYS_RESOURCE, which the daemon does not hold on this host");
            list.Add(new SpecRlimit { Type = type, Soft = soft, Hard = hard });
        }
        return list;

        static string Show(ulong v) => v == ulong.MaxValue ? "unlimited" : v.ToString(CultureInfo.InvariantCulture);
    }

    private static int? BuildOomScoreAdj(int? requested, SpecHost host)
    {
        if (requested is { } r && (r < -1000 || r > 1000))
            throw WharfException.Invalid($"Invalid value {r}, range for oom score adj is [-1000, 1000]");
        // Docker writes 0 for every container; lowering below the daemon's own value needs
        // CAP_SYS_RESOURCE, so without an explicit request inherit rather than fail.
        int? value = requested ?? (host.OomScoreAdj <= 0 ? 0 : null);
        if (value is { } v && v < host.OomScoreAdj && !host.HasEffectiveCap("CAP_SYS_RESOURCE"))
            throw WharfException.Invalid(
                $"oom-score-adj {v} is lower than the daemon's own ({host.OomScoreAdj}); lowering it needs "
                + "CAP_SYS_RESOURCE, which the daemon does not hold on this host");
        return value;
    }

    private static List<SpecNamespace> BuildNamespaces(SpecInput input, SpecHost host)
    {
        var types = new List<string> { "pid" };
        if (input.NetworkMode != SpecNetworkMode.Host) types.Add("network");
        types.Add("ipc");
        if (input.NetworkMode != SpecNetworkMode.Host) types.Add("uts");
        types.Add("mount");
        // A private cgroup namespace only on pure v2, as Docker's default cgroupns mode ("host" on v1).
        // No time namespace: Docker 28 does not create one.
        if (host.CgroupV2) types.Add("cgroup");
        return types
            .Select(t => new SpecNamespace { Type = t, Path = input.NamespacePaths.TryGetValue(t, out var p) ? p : null })
            .ToList();
    }

    private static SpecResources BuildResources(SpecInput input, SpecHost host)
    {
        var r = input.Resources;
        var devices = input.Privileged
            ? new List<SpecDeviceRule> { new() { Allow = true, Access = "rwm" } }
            : new List<SpecDeviceRule>
            {
                new() { Allow = false, Access = "rwm" },
                Dev(1, 5), Dev(1, 3), Dev(1, 9), Dev(1, 8), Dev(5, 0), Dev(5, 1),
                // fuse stays denied unless asked for explicitly.
                new() { Allow = false, Type = "c", Major = 10, Minor = 229, Access = "rwm" },
            };

        return BuildLimits(r, host) with { Devices = devices };

        static SpecDeviceRule Dev(long major, long minor) => new() { Allow = true, Type = "c", Major = major, Minor = minor, Access = "rwm" };
    }

    /// <summary>Every check <see cref="Build(SpecInput, SpecHost)"/> makes on resources, ulimits and oom_score_adj,
    /// without building: the engine runs it at create so a bad value is refused there.</summary>
    public static void ValidateLimits(SpecInputResources resources, IReadOnlyList<SpecUlimit> ulimits, int? oomScoreAdj, SpecHost host)
    {
        BuildLimits(resources, host);
        BuildRlimits(ulimits, host);
        BuildOomScoreAdj(oomScoreAdj, host);
    }

    /// <summary>The memory, CPU and pids part of <c>linux.resources</c> (what <c>runc update</c> takes too), after
    /// Docker's checks.</summary>
    public static SpecResources BuildLimits(SpecInputResources r, SpecHost host)
    {
        ResourceRules.Validate(r, host);
        SpecMemory? memory = null;
        if (r.Memory > 0 || r.MemoryReservation > 0 || r.OomKillDisable)
        {
            memory = new SpecMemory
            {
                Limit = r.Memory > 0 ? r.Memory : null,
                Reservation = r.MemoryReservation > 0 ? r.MemoryReservation : null,
                Swap = r.Memory > 0 && host.SwapAccounting ? (r.MemorySwap == 0 ? 2 * r.Memory : r.MemorySwap) : null,
                DisableOomKiller = r.OomKillDisable ? true : null,
            };
        }

        long quota = r.CpuQuota, period = r.CpuPeriod;
        if (r.NanoCpus > 0)
        {
            // Docker's --cpus: a 100 ms period and the matching share of it.
            period = 100_000;
            quota = r.NanoCpus * period / 1_000_000_000;
        }
        SpecCpu? cpu = null;
        if (r.CpuShares > 0 || quota != 0 || period > 0 || !string.IsNullOrEmpty(r.CpusetCpus) || !string.IsNullOrEmpty(r.CpusetMems))
        {
            cpu = new SpecCpu
            {
                Shares = r.CpuShares > 0 ? (ulong)r.CpuShares : null,
                Quota = quota != 0 ? quota : null,
                Period = period > 0 ? (ulong)period : null,
                Cpus = string.IsNullOrEmpty(r.CpusetCpus) ? null : r.CpusetCpus,
                Mems = string.IsNullOrEmpty(r.CpusetMems) ? null : r.CpusetMems,
            };
        }

        return new SpecResources
        {
            Memory = memory,
            Cpu = cpu,
            Pids = r.PidsLimit > 0 ? new SpecPids { Limit = r.PidsLimit } : null,
        };
    }

    /// <summary>Docker's --device handling: for --privileged every host device is there already, so only a
    /// mapping to another path adds a node, and the cgroup allows everything anyway.</summary>
    private static (List<SpecDevice> Devices, List<SpecDeviceRule> Rules) BuildUserDevices(SpecInput input)
    {
        var devices = new List<SpecDevice>();
        var rules = new List<SpecDeviceRule>();
        foreach (var mapping in input.Devices)
        {
            if (input.Privileged && mapping.PathOnHost == mapping.PathInContainer) continue;
            var (d, r) = DeviceMappings.Resolve(mapping);
            devices.AddRange(d);
            rules.AddRange(r);
        }
        foreach (var rule in input.DeviceCgroupRules) rules.Add(DeviceMappings.ParseCgroupRule(rule));
        return (devices, rules);
    }

    private static Dictionary<string, string>? BuildSysctls(SpecInput input, SpecHost host, bool hostNetwork)
    {
        var sysctl = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in input.Sysctls)
        {
            Sysctls.Validate(k, hostNetwork);
            sysctl[k] = v;
        }
        if (!hostNetwork)
        {
            // Docker lets unprivileged processes ping and bind low ports inside a private network namespace.
            if (host.HasUnprivilegedPortStart) sysctl.TryAdd("net.ipv4.ip_unprivileged_port_start", "0");
            sysctl.TryAdd("net.ipv4.ping_group_range", "0 2147483647");
        }
        return sysctl.Count > 0 ? sysctl : null;
    }

    /// <summary>Docker's default mounts (minus the ones a user mount replaces), then the user, /etc and init
    /// mounts sorted by depth so a parent is mounted before its children.</summary>
    public static List<SpecMount> BuildMounts(SpecInput input)
    {
        var user = new List<SpecMount>();
        foreach (var m in input.Mounts) user.Add(UserMount(m));
        if (input.EtcFiles is { } etc)
        {
            AddEtc(etc.ResolvConfPath, "/etc/resolv.conf");
            AddEtc(etc.HostnamePath, "/etc/hostname");
            AddEtc(etc.HostsPath, "/etc/hosts");
        }
        if (input.InitPath is not null)
            user.Add(new SpecMount { Destination = ContainerInitPath, Type = "bind", Source = input.InitPath, Options = ["bind", "ro"] });

        var dests = user.Select(m => CleanPath(m.Destination)).ToHashSet(StringComparer.Ordinal);
        bool userDev = dests.Contains("/dev");

        var defaults = new List<SpecMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = input.Privileged ? ["nosuid", "noexec", "nodev"] : ["nosuid", "noexec", "nodev", "ro"] },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = input.Privileged ? ["nosuid", "noexec", "nodev"] : ["ro", "nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=" + input.ShmSize.ToString(CultureInfo.InvariantCulture)] },
        };
        defaults.RemoveAll(d => dests.Contains(d.Destination) || (userDev && d.Destination.StartsWith("/dev/", StringComparison.Ordinal)));

        if (input.ReadonlyRootfs)
        {
            for (int i = 0; i < defaults.Count; i++)
            {
                var d = defaults[i];
                if (WritableUnderReadonlyRootfs.Contains(d.Destination) || d.Options!.Contains("ro")) continue;
                // Docker clears ro on /sys and the cgroup mount for --privileged after applying --read-only.
                if (input.Privileged && d.Destination is ("/sys" or "/sys/fs/cgroup")) continue;
                defaults[i] = d with { Options = [.. d.Options!, "ro"] };
            }
        }

        // Stable sort by depth: "/a" before "/a/b", equal depths keep the caller's order.
        var sorted = user.OrderBy(m => CleanPath(m.Destination).Split('/', StringSplitOptions.RemoveEmptyEntries).Length).ToList();
        return [.. defaults, .. sorted];

        void AddEtc(string? source, string dest)
        {
            // A user mount at the same place wins over the daemon's file.
            if (source is null || user.Any(m => CleanPath(m.Destination) == dest)) return;
            user.Add(new SpecMount { Destination = dest, Type = "bind", Source = source, Options = ["rbind", "rprivate"] });
        }
    }

    private static SpecMount UserMount(SpecInputMount m)
    {
        if (!m.Destination.StartsWith('/'))
            throw WharfException.Invalid($"invalid mount config: mount path must be absolute: {m.Destination}");
        var dest = CleanPath(m.Destination);
        switch (m.Type)
        {
            case "bind":
            {
                if (string.IsNullOrEmpty(m.Source)) throw WharfException.Invalid($"invalid mount config: bind source path is empty for {dest}");
                var opts = new List<string> { m.Recursive ? "rbind" : "bind" };
                if (m.ReadOnly) opts.Add("ro");
                if (!string.IsNullOrEmpty(m.Propagation)) opts.Add(m.Propagation);
                foreach (var o in m.Options) if (!opts.Contains(o)) opts.Add(o);
                return new SpecMount { Destination = dest, Type = "bind", Source = m.Source, Options = opts };
            }
            case "tmpfs":
            {
                var opts = MergeTmpfsOptions(m.Options);
                if (m.ReadOnly && !opts.Contains("ro")) opts.Add("ro");
                return new SpecMount { Destination = dest, Type = "tmpfs", Source = "tmpfs", Options = opts };
            }
            default:
                throw WharfException.Invalid($"invalid mount config: unsupported mount type \"{m.Type}\" for {dest}");
        }
    }

    /// <summary>Docker's tmpfs defaults (noexec,nosuid,nodev) overridden by the user's options:
    /// "exec" cancels "noexec" and so on; "key=value" replaces an earlier value of the same key.</summary>
    public static List<string> MergeTmpfsOptions(IReadOnlyList<string> userOptions)
    {
        var opts = new List<string> { "noexec", "nosuid", "nodev" };
        foreach (var raw in userOptions)
        {
            var o = raw.Trim();
            if (o.Length == 0) continue;
            var opposite = o.StartsWith("no", StringComparison.Ordinal) ? o[2..] : "no" + o;
            opts.Remove(opposite);
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                var key = o[..(eq + 1)];
                opts.RemoveAll(x => x.StartsWith(key, StringComparison.Ordinal));
            }
            if (!opts.Contains(o)) opts.Add(o);
        }
        return opts;
    }

    private static string CleanPath(string p)
    {
        var parts = new List<string>();
        foreach (var seg in p.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (seg == ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        return "/" + string.Join('/', parts);
    }
}
