using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

/// <summary>
/// The OCI config of a default container (`docker run busybox sh`) against what Docker 28 generates, written
/// down here as data: any drift in the hardening shows up as one failing comparison.
/// </summary>
public sealed class DockerDefaultsTests
{
    private static readonly string[] DockerCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ];

    private static readonly string[] DockerMaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
        // Docker adds each CPU's thermal_throttle directory found on the host.
        "/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/devices/system/cpu/cpu1/thermal_throttle",
    ];

    private static readonly string[] DockerReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    private static readonly string[] DockerMounts =
    [
        "/proc proc proc nosuid,noexec,nodev",
        "/dev tmpfs tmpfs nosuid,strictatime,mode=755,size=65536k",
        "/dev/pts devpts devpts nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
        "/sys sysfs sysfs nosuid,noexec,nodev,ro",
        "/sys/fs/cgroup cgroup cgroup ro,nosuid,noexec,nodev",
        "/dev/mqueue mqueue mqueue nosuid,noexec,nodev",
        "/dev/shm tmpfs shm nosuid,noexec,nodev,mode=1777,size=67108864",
    ];

    /// <summary>Deny everything, then null, zero, full, random, urandom, tty, console, ptmx (and fuse denied).</summary>
    private static readonly string[] DockerDeviceRules =
    [
        "deny a *:* rwm",
        "allow c 1:5 rwm", "allow c 1:3 rwm", "allow c 1:9 rwm", "allow c 1:8 rwm", "allow c 5:0 rwm", "allow c 5:1 rwm",
        "deny c 10:229 rwm",
    ];

    [Fact]
    public void Default_container_config_matches_dockers_defaults()
    {
        var spec = SpecBuilder.Build(TestHosts.Input("sh"), TestHosts.HybridV1);
        var process = spec.Process!;
        var linux = spec.Linux!;

        Assert.Equal(DockerCapabilities, process.Capabilities!.Bounding);
        Assert.Equal(DockerCapabilities, process.Capabilities.Effective);
        Assert.Equal(DockerCapabilities, process.Capabilities.Permitted);
        Assert.Empty(process.Capabilities.Inheritable);
        Assert.Empty(process.Capabilities.Ambient);
        Assert.Equal(0xa80425fbUL, Capabilities.ToMask(process.Capabilities.Bounding));

        Assert.Equal(DockerMaskedPaths, linux.MaskedPaths);
        Assert.Equal(DockerReadonlyPaths, linux.ReadonlyPaths);
        Assert.Equal(DockerMounts, spec.Mounts!.Take(DockerMounts.Length).Select(m => $"{m.Destination} {m.Type} {m.Source} {string.Join(',', m.Options!)}"));
        Assert.False(spec.Root!.Readonly);

        // runc creates the default nodes itself; Docker lists no extra devices.
        Assert.Null(linux.Devices);
        Assert.Equal(DockerDeviceRules, linux.Resources!.Devices!.Select(Show));

        var seccomp = linux.Seccomp!;
        Assert.Equal("SCMP_ACT_ERRNO", seccomp.DefaultAction);
        Assert.Equal(1u, seccomp.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], seccomp.Architectures);
        Assert.Contains(seccomp.Syscalls!, s => s.Action == "SCMP_ACT_ALLOW" && s.Names.Contains("read"));
        Assert.DoesNotContain(seccomp.Syscalls!, s => s.Action == "SCMP_ACT_ALLOW" && s.Names.Contains("mount") && s.Args is null);

        Assert.False(process.NoNewPrivileges);
        Assert.Null(process.Rlimits);
        Assert.Equal(0, process.OomScoreAdj);
        Assert.Equal(0u, process.User!.Uid);
        Assert.Equal(0u, process.User.Gid);
    }

    private static string Show(SpecDeviceRule r) =>
        $"{(r.Allow ? "allow" : "deny")} {r.Type ?? "a"} {Num(r.Major)}:{Num(r.Minor)} {r.Access}";

    private static string Num(long? n) => n is null or -1 ? "*" : n.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
