using System.Text;
using System.Text.Json;
using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

public sealed class SpecBuilderTests
{
    private static RuntimeSpec Build(SpecInput input, SpecHost? host = null) => SpecBuilder.Build(input, host ?? TestHosts.HybridV1);

    [Fact]
    public void Default_capabilities_are_dockers_14_in_bounding_effective_permitted_only()
    {
        var caps = Build(TestHosts.Input()).Process!.Capabilities!;
        Assert.Equal(Capabilities.Default, caps.Bounding);
        Assert.Equal(Capabilities.Default, caps.Effective);
        Assert.Equal(Capabilities.Default, caps.Permitted);
        Assert.Empty(caps.Inheritable);
        Assert.Empty(caps.Ambient);
        Assert.Equal(0xa80425fbUL, Capabilities.ToMask(caps.Bounding));
    }

    [Fact]
    public void Default_mounts_match_docker_with_exact_options()
    {
        var mounts = Build(TestHosts.Input()).Mounts!;
        string Show(SpecMount m) => $"{m.Destination}|{m.Type}|{m.Source}|{string.Join(",", m.Options!)}";
        Assert.Equal(
        [
            "/proc|proc|proc|nosuid,noexec,nodev",
            "/dev|tmpfs|tmpfs|nosuid,strictatime,mode=755,size=65536k",
            "/dev/pts|devpts|devpts|nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
            "/sys|sysfs|sysfs|nosuid,noexec,nodev,ro",
            "/sys/fs/cgroup|cgroup|cgroup|ro,nosuid,noexec,nodev",
            "/dev/mqueue|mqueue|mqueue|nosuid,noexec,nodev",
            "/dev/shm|tmpfs|shm|nosuid,noexec,nodev,mode=1777,size=67108864",
        ], mounts.Select(Show));
    }

    [Fact]
    public void Masked_and_readonly_paths_match_docker()
    {
        var linux = Build(TestHosts.Input()).Linux!;
        Assert.Equal(
        [
            "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/devices/virtual/powercap",
            "/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/devices/system/cpu/cpu1/thermal_throttle",
        ], linux.MaskedPaths);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], linux.ReadonlyPaths);
    }

    [Fact]
    public void Namespaces_have_no_cgroup_on_v1_and_no_time_namespace()
    {
        var types = Build(TestHosts.Input()).Linux!.Namespaces!.Select(n => n.Type).ToList();
        Assert.Equal(["pid", "network", "ipc", "uts", "mount"], types);
        var v2 = Build(TestHosts.Input(), TestHosts.PureV2).Linux!.Namespaces!.Select(n => n.Type).ToList();
        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "cgroup"], v2);
    }

    [Fact]
    public void Host_network_shares_net_and_uts_and_drops_net_sysctls()
    {
        var spec = Build(TestHosts.Input() with { NetworkMode = SpecNetworkMode.Host });
        Assert.Equal(["pid", "ipc", "mount"], spec.Linux!.Namespaces!.Select(n => n.Type));
        Assert.Null(spec.Hostname);
        Assert.Null(spec.Linux.Sysctl);
        var ex = Assert.Throws<WharfException>(() => Build(TestHosts.Input() with
        {
            NetworkMode = SpecNetworkMode.Host,
            Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" },
        }));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void None_network_is_a_private_namespace_and_paths_are_joined()
    {
        var none = Build(TestHosts.Input() with { NetworkMode = SpecNetworkMode.None });
        Assert.Contains(none.Linux!.Namespaces!, n => n.Type == "network" && n.Path is null);
        var joined = Build(TestHosts.Input() with { NamespacePaths = new Dictionary<string, string> { ["network"] = "/run/netns/x" } });
        Assert.Contains(joined.Linux!.Namespaces!, n => n.Type == "network" && n.Path == "/run/netns/x");
    }

    [Fact]
    public void Default_sysctls_in_private_netns()
    {
        var sysctl = Build(TestHosts.Input()).Linux!.Sysctl!;
        Assert.Equal("0 2147483647", sysctl["net.ipv4.ping_group_range"]);
        Assert.Equal("0", sysctl["net.ipv4.ip_unprivileged_port_start"]);
        var old = Build(TestHosts.Input(), TestHosts.HybridV1 with { HasUnprivilegedPortStart = false }).Linux!.Sysctl!;
        Assert.False(old.ContainsKey("net.ipv4.ip_unprivileged_port_start"));
        var user = Build(TestHosts.Input() with { Sysctls = new Dictionary<string, string> { ["net.ipv4.ping_group_range"] = "1 1" } });
        Assert.Equal("1 1", user.Linux!.Sysctl!["net.ipv4.ping_group_range"]);
    }

    [Fact]
    public void Device_cgroup_denies_all_then_allows_dockers_list()
    {
        var rules = Build(TestHosts.Input()).Linux!.Resources!.Devices!;
        Assert.Equal(
        [
            "deny a *:* rwm", "allow c 1:5 rwm", "allow c 1:3 rwm", "allow c 1:9 rwm", "allow c 1:8 rwm",
            "allow c 5:0 rwm", "allow c 5:1 rwm", "deny c 10:229 rwm",
        ], rules.Select(r => $"{(r.Allow ? "allow" : "deny")} {r.Type ?? "a"} {r.Major?.ToString() ?? "*"}:{r.Minor?.ToString() ?? "*"} {r.Access}"));
    }

    [Fact]
    public void Privileged_gets_the_daemons_caps_no_seccomp_no_masks_rw_sys_and_all_devices()
    {
        var spec = Build(TestHosts.Input() with { Privileged = true });
        var caps = spec.Process!.Capabilities!;
        Assert.Equal(Capabilities.FromMask(TestHosts.CapsWithoutSysResource), caps.Bounding);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps.Bounding);
        Assert.Contains("CAP_SYS_ADMIN", caps.Effective);
        Assert.Empty(caps.Inheritable);
        Assert.Null(spec.Linux!.Seccomp);
        Assert.Null(spec.Linux.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/sys/fs/cgroup").Options!);
        var rule = Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.True(rule.Allow);
        Assert.Null(rule.Type);
        Assert.Equal("rwm", rule.Access);
    }

    [Fact]
    public void Env_gets_path_hostname_and_term_like_docker()
    {
        var spec = Build(TestHosts.Input() with { Tty = true, Env = ["FOO=bar"] });
        Assert.Equal(["PATH=" + SpecBuilder.DefaultPathEnv, "HOSTNAME=abc123", "TERM=xterm", "FOO=bar"], spec.Process!.Env);

        // The image's PATH replaces the default in place; a bare name unsets.
        var own = Build(TestHosts.Input() with { Env = ["PATH=/x", "HOSTNAME", "A=1"] });
        Assert.Equal(["PATH=/x", "A=1"], own.Process!.Env);
    }

    [Fact]
    public void Process_basics_and_console_size()
    {
        var spec = Build(TestHosts.Input("echo", "hi") with
        {
            Tty = true,
            ConsoleHeight = 24,
            ConsoleWidth = 80,
            Cwd = "/work",
            User = new ResolvedUser(1000, 1000, [10, 20]),
        });
        var p = spec.Process!;
        Assert.True(p.Terminal);
        Assert.Equal(24u, p.ConsoleSize!.Height);
        Assert.Equal(80u, p.ConsoleSize.Width);
        Assert.Equal(["echo", "hi"], p.Args);
        Assert.Equal("/work", p.Cwd);
        Assert.Equal(1000u, p.User.Uid);
        Assert.Equal([10u, 20u], p.User.AdditionalGids);
        Assert.False(p.NoNewPrivileges);
        Assert.Null(p.Rlimits);
        Assert.Equal(0, p.OomScoreAdj);
        Assert.Equal("abc123", spec.Hostname);
        Assert.Equal("/tmp/rootfs", spec.Root!.Path);
        Assert.False(spec.Root.Readonly);
    }

    [Fact]
    public void No_new_privileges_only_when_asked()
    {
        Assert.True(Build(TestHosts.Input() with { NoNewPrivileges = true }).Process!.NoNewPrivileges);
    }

    [Fact]
    public void Init_binds_tini_and_prepends_it()
    {
        var spec = Build(TestHosts.Input("sleep", "1") with { InitPath = "/usr/bin/tini" });
        Assert.Equal(["/sbin/docker-init", "--", "sleep", "1"], spec.Process!.Args);
        var m = spec.Mounts!.Single(x => x.Destination == "/sbin/docker-init");
        Assert.Equal("/usr/bin/tini", m.Source);
        Assert.Equal(["bind", "ro"], m.Options);
    }

    [Fact]
    public void User_mounts_replace_defaults_are_sorted_and_etc_files_are_bound()
    {
        var spec = Build(TestHosts.Input() with
        {
            Mounts =
            [
                new SpecInputMount { Destination = "/data/sub", Source = "/h/sub", ReadOnly = true },
                new SpecInputMount { Destination = "/data", Source = "/h/data" },
                new SpecInputMount { Type = "tmpfs", Destination = "/dev/shm", Options = ["size=1m", "exec"] },
            ],
            EtcFiles = new SpecEtcFiles { HostsPath = "/c/hosts", HostnamePath = "/c/hostname", ResolvConfPath = "/c/resolv.conf" },
        });
        var mounts = spec.Mounts!;
        Assert.Single(mounts, m => m.Destination == "/dev/shm");
        var shm = mounts.Single(m => m.Destination == "/dev/shm");
        Assert.Equal(["nosuid", "nodev", "size=1m", "exec"], shm.Options);
        var data = mounts.FindIndex(m => m.Destination == "/data");
        var sub = mounts.FindIndex(m => m.Destination == "/data/sub");
        Assert.True(data < sub);
        Assert.Equal(["rbind", "ro", "rprivate"], mounts[sub].Options);
        Assert.Equal(["rbind", "rprivate"], mounts[data].Options);
        var hosts = mounts.Single(m => m.Destination == "/etc/hosts");
        Assert.Equal("/c/hosts", hosts.Source);
        Assert.Equal("bind", hosts.Type);
        Assert.Contains(mounts, m => m.Destination == "/etc/resolv.conf" && m.Source == "/c/resolv.conf");
        Assert.Contains(mounts, m => m.Destination == "/etc/hostname" && m.Source == "/c/hostname");
    }

    [Fact]
    public void User_dev_mount_removes_every_default_under_dev()
    {
        var spec = Build(TestHosts.Input() with { Mounts = [new SpecInputMount { Destination = "/dev", Source = "/dev" }] });
        Assert.DoesNotContain(spec.Mounts!, m => m.Destination.StartsWith("/dev/", StringComparison.Ordinal));
        Assert.Single(spec.Mounts!, m => m.Destination == "/dev");
    }

    [Fact]
    public void Readonly_rootfs_marks_root_readonly_and_leaves_dev_and_proc_writable()
    {
        var spec = Build(TestHosts.Input() with { ReadonlyRootfs = true, Mounts = [new SpecInputMount { Destination = "/data", Source = "/h" }] });
        Assert.True(spec.Root!.Readonly);
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/data").Options!);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/dev/shm").Options!);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/proc").Options!);

        // --privileged keeps /sys and the cgroup mount writable even with --read-only, as Docker.
        var priv = Build(TestHosts.Input() with { ReadonlyRootfs = true, Privileged = true });
        Assert.DoesNotContain("ro", priv.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.DoesNotContain("ro", priv.Mounts!.Single(m => m.Destination == "/sys/fs/cgroup").Options!);
    }

    [Fact]
    public void Ulimits_within_the_host_limit_are_passed_and_above_it_refused()
    {
        var spec = Build(TestHosts.Input() with { Ulimits = [new SpecUlimit("nofile", 1024, 4096), new SpecUlimit("core", -1, -1)] });
        Assert.Equal(
        [
            ("RLIMIT_NOFILE", 1024UL, 4096UL),
            ("RLIMIT_CORE", ulong.MaxValue, ulong.MaxValue),
        ], spec.Process!.Rlimits!.Select(r => (r.Type, r.Soft, r.Hard)));

        var ex = Assert.Throws<WharfException>(() => Build(TestHosts.Input() with { Ulimits = [new SpecUlimit("nofile", 1024, 1048576)] }));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("20000", ex.Message);
        Assert.Contains("CAP_SYS_RESOURCE", ex.Message);

        // With CAP_SYS_RESOURCE the daemon may raise it.
        var root = TestHosts.HybridV1 with { EffectiveCaps = TestHosts.CapsWithoutSysResource | (1UL << 24) };
        Assert.NotNull(Build(TestHosts.Input() with { Ulimits = [new SpecUlimit("nofile", 1024, 1048576)] }, root).Process!.Rlimits);

        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() =>
            Build(TestHosts.Input() with { Ulimits = [new SpecUlimit("bogus", 1, 1)] })).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() =>
            Build(TestHosts.Input() with { Ulimits = [new SpecUlimit("nofile", 10, 5)] })).Kind);
    }

    [Fact]
    public void Oom_score_adj_below_the_daemons_is_refused()
    {
        var ex = Assert.Throws<WharfException>(() => Build(TestHosts.Input() with { OomScoreAdj = -100 }));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("CAP_SYS_RESOURCE", ex.Message);
        Assert.Equal(500, Build(TestHosts.Input() with { OomScoreAdj = 500 }).Process!.OomScoreAdj);
        // A daemon at 100 cannot give 0 by default: inherit instead of failing.
        Assert.Null(Build(TestHosts.Input(), TestHosts.HybridV1 with { OomScoreAdj = 100 }).Process!.OomScoreAdj);
    }

    [Fact]
    public void Resources_follow_docker_semantics()
    {
        var spec = Build(TestHosts.Input() with
        {
            CgroupsPath = "/wharf/abc",
            Resources = new SpecInputResources { Memory = 64 << 20, NanoCpus = 1_500_000_000, CpuShares = 512, CpusetCpus = "0", PidsLimit = 100 },
        });
        var r = spec.Linux!.Resources!;
        Assert.Equal("/wharf/abc", spec.Linux.CgroupsPath);
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal(128L << 20, r.Memory.Swap);
        Assert.Equal(150_000L, r.Cpu!.Quota);
        Assert.Equal(100_000UL, r.Cpu.Period);
        Assert.Equal(512UL, r.Cpu.Shares);
        Assert.Equal("0", r.Cpu.Cpus);
        Assert.Equal(100L, r.Pids!.Limit);

        var noSwap = Build(TestHosts.Input() with { Resources = new SpecInputResources { Memory = 64 << 20 } },
            TestHosts.HybridV1 with { SwapAccounting = false }).Linux!.Resources!.Memory!;
        Assert.Null(noSwap.Swap);
        Assert.Equal("Minimum memory limit allowed is 6MB", Assert.Throws<WharfException>(() =>
            Build(TestHosts.Input() with { Resources = new SpecInputResources { Memory = 1 << 20 } })).Message);

        var none = Build(TestHosts.Input()).Linux!.Resources!;
        Assert.Null(none.Memory);
        Assert.Null(none.Cpu);
        Assert.Null(none.Pids);
    }

    [Fact]
    public void Json_uses_spec_names_and_omits_nulls()
    {
        var spec = Build(TestHosts.Input() with { Resources = new SpecInputResources { Memory = 1 << 26, OomKillDisable = true } });
        var json = SpecJson.SerializeToString(spec);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("1.0.2", root.GetProperty("ociVersion").GetString());
        Assert.Equal("/tmp/rootfs", root.GetProperty("root").GetProperty("path").GetString());
        Assert.True(root.GetProperty("process").GetProperty("capabilities").TryGetProperty("bounding", out _));
        Assert.False(root.GetProperty("process").TryGetProperty("consoleSize", out _));
        Assert.False(root.GetProperty("process").TryGetProperty("rlimits", out _));
        var linux = root.GetProperty("linux");
        Assert.True(linux.TryGetProperty("maskedPaths", out _));
        Assert.True(linux.GetProperty("resources").GetProperty("memory").GetProperty("disableOOMKiller").GetBoolean());
        Assert.Equal("SCMP_ACT_ERRNO", linux.GetProperty("seccomp").GetProperty("defaultAction").GetString());
        var denyAll = linux.GetProperty("resources").GetProperty("devices")[0];
        Assert.False(denyAll.TryGetProperty("major", out _));
        Assert.False(json.Contains("null", StringComparison.Ordinal));

        var back = SpecJson.Deserialize(Encoding.UTF8.GetBytes(json));
        Assert.Equal(spec.Process!.Capabilities!.Bounding, back.Process!.Capabilities!.Bounding);
        Assert.Equal(spec.Mounts!.Count, back.Mounts!.Count);
    }

    [Fact]
    public void Detects_this_host()
    {
        var host = SpecHost.Detect();
        Assert.NotEqual(0UL, host.BoundingCaps);
        Assert.Equal("amd64", host.Arch);
        Assert.True(host.HardLimits.ContainsKey("nofile"));
        Assert.True(SpecHost.IsPureCgroupV2("30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n"));
        Assert.False(SpecHost.IsPureCgroupV2("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"));
    }

    [Fact]
    public void Empty_args_are_refused()
    {
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => Build(TestHosts.Input() with { Args = [] })).Kind);
    }
}
