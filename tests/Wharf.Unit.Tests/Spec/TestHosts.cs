using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

/// <summary>Host descriptions for spec tests, so expectations do not depend on the machine.</summary>
internal static class TestHosts
{
    /// <summary>Every capability up to CAP_CHECKPOINT_RESTORE except CAP_SYS_RESOURCE, like wharfd here.</summary>
    public const ulong CapsWithoutSysResource = 0x1fffeffffffUL;

    /// <summary>The measured machine: cgroup v1 hybrid, no CAP_SYS_RESOURCE, nofile hard 20000.</summary>
    public static SpecHost HybridV1 { get; } = new()
    {
        BoundingCaps = CapsWithoutSysResource,
        EffectiveCaps = CapsWithoutSysResource,
        CgroupV2 = false,
        HardLimits = new Dictionary<string, ulong?> { ["nofile"] = 20000, ["nproc"] = 96365, ["core"] = null, ["stack"] = null },
        OomScoreAdj = 0,
        ThermalThrottlePaths = ["/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/devices/system/cpu/cpu1/thermal_throttle"],
        HasUnprivilegedPortStart = true,
        Kernel = (6, 1),
        Arch = "amd64",
    };

    public static SpecHost PureV2 { get; } = HybridV1 with { CgroupV2 = true };

    public static SpecInput Input(params string[] args) => new() { Args = args.Length == 0 ? ["sh"] : args, RootfsPath = "/tmp/rootfs", Hostname = "abc123" };
}
