using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

public sealed class SeccompProfileTests
{
    private static SpecSeccomp Render(params string[] capAdd) =>
        SpecBuilder.Build(TestHosts.Input() with { CapAdd = capAdd }, TestHosts.HybridV1).Linux!.Seccomp!;

    private static bool AllowedUnconditionally(SpecSeccomp s, string name) =>
        s.Syscalls!.Any(r => r.Action == "SCMP_ACT_ALLOW" && r.Args is null && r.Names.Contains(name));

    private static bool Mentioned(SpecSeccomp s, string name) => s.Syscalls!.Any(r => r.Names.Contains(name));

    [Fact]
    public void Defaults_and_architectures()
    {
        var s = Render();
        Assert.Equal("SCMP_ACT_ERRNO", s.DefaultAction);
        Assert.Equal(1u, s.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], s.Architectures);
        Assert.True(s.Syscalls![0].Names.Count > 300);
    }

    [Theory]
    [InlineData("read")]
    [InlineData("execve")]
    [InlineData("openat2")]
    [InlineData("arch_prctl")]
    [InlineData("ptrace")]
    [InlineData("chroot")]
    [InlineData("clone3")]
    public void Common_calls_are_allowed_or_handled(string name) => Assert.True(Mentioned(Render(), name));

    [Theory]
    [InlineData("mount")]
    [InlineData("umount2")]
    [InlineData("unshare")]
    [InlineData("setns")]
    [InlineData("keyctl")]
    [InlineData("add_key")]
    [InlineData("kexec_load")]
    [InlineData("userfaultfd")]
    [InlineData("io_uring_setup")]
    [InlineData("pivot_root")]
    [InlineData("bpf")]
    [InlineData("open_by_handle_at")]
    [InlineData("reboot")]
    [InlineData("init_module")]
    [InlineData("settimeofday")]
    [InlineData("kcmp")]
    [InlineData("syslog")]
    public void Dangerous_calls_are_denied_by_default(string name) => Assert.False(Mentioned(Render(), name));

    [Fact]
    public void Sys_admin_opens_its_group_and_lifts_the_clone_rules()
    {
        var s = Render("SYS_ADMIN");
        foreach (var n in new[] { "mount", "umount2", "unshare", "setns", "sethostname", "clone", "clone3", "bpf", "fsopen" })
            Assert.True(AllowedUnconditionally(s, n), n);
        // Without CAP_SYS_ADMIN clone is masked and clone3 returns ENOSYS; with it neither rule is emitted.
        Assert.DoesNotContain(s.Syscalls!, r => r.Names.SequenceEqual(["clone"]) && r.Args is not null);
        Assert.DoesNotContain(s.Syscalls!, r => r.Names.SequenceEqual(["clone3"]) && r.Action == "SCMP_ACT_ERRNO");
        // Still never allowed.
        Assert.False(Mentioned(s, "keyctl"));
    }

    [Fact]
    public void Other_cap_gated_groups_follow_their_capability()
    {
        Assert.True(AllowedUnconditionally(Render("SYS_PTRACE"), "kcmp"));
        Assert.True(AllowedUnconditionally(Render("SYS_TIME"), "settimeofday"));
        Assert.True(AllowedUnconditionally(Render("DAC_READ_SEARCH"), "open_by_handle_at"));
        Assert.True(AllowedUnconditionally(Render("SYS_MODULE"), "finit_module"));
        Assert.True(AllowedUnconditionally(Render("SYSLOG"), "syslog"));
        // Dropping SYS_CHROOT removes chroot from the filter too.
        var noChroot = SpecBuilder.Build(TestHosts.Input() with { CapDrop = ["SYS_CHROOT"] }, TestHosts.HybridV1).Linux!.Seccomp!;
        Assert.False(Mentioned(noChroot, "chroot"));
    }

    [Fact]
    public void Clone_is_allowed_only_without_namespace_flags()
    {
        var rule = Assert.Single(Render().Syscalls!, r => r.Names.SequenceEqual(["clone"]));
        var arg = Assert.Single(rule.Args!);
        Assert.Equal(0u, arg.Index);
        Assert.Equal(0x7E020000UL, arg.Value);
        Assert.Equal("SCMP_CMP_MASKED_EQ", arg.Op);
        Assert.Equal("SCMP_ACT_ALLOW", rule.Action);

        var clone3 = Assert.Single(Render().Syscalls!, r => r.Names.SequenceEqual(["clone3"]));
        Assert.Equal("SCMP_ACT_ERRNO", clone3.Action);
        Assert.Equal(38u, clone3.ErrnoRet);
    }

    [Fact]
    public void Personality_only_with_safe_values()
    {
        var values = Render().Syscalls!.Where(r => r.Names.SequenceEqual(["personality"]))
            .Select(r => Assert.Single(r.Args!)).ToList();
        Assert.All(values, a => Assert.Equal("SCMP_CMP_EQ", a.Op));
        Assert.Equal([0x0UL, 0x8UL, 0x20000UL, 0x20008UL, 0xffffffffUL], values.Select(a => a.Value));
    }

    [Fact]
    public void Socket_denies_af_alg_and_af_vsock()
    {
        var rules = Render().Syscalls!.Where(r => r.Names.SequenceEqual(["socket"])).Select(r => Assert.Single(r.Args!)).ToList();
        bool Allowed(ulong family) => rules.Any(a => a.Op switch
        {
            "SCMP_CMP_LT" => family < a.Value,
            "SCMP_CMP_EQ" => family == a.Value,
            "SCMP_CMP_GT" => family > a.Value,
            _ => false,
        });
        Assert.True(Allowed(1));  // AF_UNIX
        Assert.True(Allowed(2));  // AF_INET
        Assert.True(Allowed(10)); // AF_INET6
        Assert.True(Allowed(16)); // AF_NETLINK
        Assert.True(Allowed(39));
        Assert.True(Allowed(44));
        Assert.False(Allowed(38)); // AF_ALG
        Assert.False(Allowed(40)); // AF_VSOCK
    }

    [Fact]
    public void Seccomp_unconfined_and_privileged_have_no_filter()
    {
        Assert.Null(SpecBuilder.Build(TestHosts.Input() with { SeccompUnconfined = true }, TestHosts.HybridV1).Linux!.Seccomp);
        Assert.Null(SpecBuilder.Build(TestHosts.Input() with { Privileged = true }, TestHosts.HybridV1).Linux!.Seccomp);
    }

    [Fact]
    public void Old_kernels_lose_the_min_kernel_rule()
    {
        var s = DefaultSeccompProfile.Render(Capabilities.Default.ToList(), "amd64", (4, 4));
        Assert.DoesNotContain(s.Syscalls!, r => r.Names.Contains("ptrace"));
        var arm = DefaultSeccompProfile.Render(Capabilities.Default.ToList(), "arm64", (6, 1));
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], arm.Architectures);
        Assert.DoesNotContain(arm.Syscalls!, r => r.Names.Contains("arch_prctl"));
    }
}
