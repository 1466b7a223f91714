using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

/// <summary>--security-opt, --device, --device-cgroup-rule and --sysctl as they reach the OCI config.</summary>
public sealed class RunOptionsSpecTests
{
    private static RuntimeSpec Build(SpecInput input) => SpecBuilder.Build(input, TestHosts.HybridV1);

    [Theory]
    [InlineData("no-new-privileges", true)]
    [InlineData("no-new-privileges:true", true)]
    [InlineData("no-new-privileges=true", true)]
    [InlineData("no-new-privileges=false", false)]
    [InlineData("no-new-privileges:0", false)]
    public void No_new_privileges_takes_a_go_bool(string opt, bool expected) =>
        Assert.Equal(expected, SecurityOptions.Parse([opt]).NoNewPrivileges);

    [Theory]
    [InlineData("bogus", "invalid --security-opt 1: \"bogus\"")]
    [InlineData("foo=bar", "invalid --security-opt 2: \"foo=bar\"")]
    [InlineData("no-new-privileges=maybe", "invalid --security-opt 2: \"no-new-privileges=maybe\"")]
    [InlineData("seccomp={nope", "decoding seccomp profile failed")]
    public void Bad_security_opts_get_dockers_errors(string opt, string message)
    {
        var e = Assert.Throws<WharfException>(() => SecurityOptions.Parse([opt]));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apparmor_and_label_are_accepted_without_effect_on_this_host()
    {
        var opts = SecurityOptions.Parse(["apparmor=docker-default", "label=disable", "label:type:svirt_t", "disable"]);
        Assert.Equal("docker-default", opts.AppArmor);
        Assert.Null(opts.Seccomp);
        Assert.False(opts.NoNewPrivileges);
    }

    [Fact]
    public void Seccomp_unconfined_and_builtin()
    {
        Assert.True(SecurityOptions.Parse(["seccomp=unconfined"]).SeccompUnconfined);
        Assert.Null(SecurityOptions.Parse(["seccomp=builtin"]).Seccomp);
        Assert.Null(Build(TestHosts.Input() with { SeccompUnconfined = true }).Linux!.Seccomp);
    }

    private const string Profile = """
        {
          "defaultAction": "SCMP_ACT_ALLOW",
          "archMap": [
            { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
            { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
          ],
          "syscalls": [
            { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
            { "name": "chown", "action": "SCMP_ACT_ERRNO", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
            { "names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] },
            { "names": ["s390_only"], "action": "SCMP_ACT_ERRNO", "includes": { "arches": ["s390x"] } },
            { "names": ["newer"], "action": "SCMP_ACT_ERRNO", "includes": { "minKernel": "9.0" } },
            { "names": ["unless_chown"], "action": "SCMP_ACT_ERRNO", "excludes": { "caps": ["CAP_CHOWN"] } }
          ]
        }
        """;

    [Fact]
    public void A_docker_format_profile_is_resolved_for_the_container()
    {
        var seccomp = Build(TestHosts.Input() with { SeccompProfileJson = Profile }).Linux!.Seccomp!;
        Assert.Equal("SCMP_ACT_ALLOW", seccomp.DefaultAction);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], seccomp.Architectures);
        Assert.Equal(2, seccomp.Syscalls!.Count);
        Assert.Equal(["mkdir", "mkdirat"], seccomp.Syscalls[0].Names);
        Assert.Equal(13u, seccomp.Syscalls[0].ErrnoRet);
        Assert.Equal(["personality"], seccomp.Syscalls[1].Names);
        Assert.Equal(8ul, Assert.Single(seccomp.Syscalls[1].Args!).Value);

        // The cap-gated rule appears once the container holds the capability.
        var admin = Build(TestHosts.Input() with { SeccompProfileJson = Profile, CapAdd = ["SYS_ADMIN"] }).Linux!.Seccomp!;
        Assert.Contains(admin.Syscalls!, s => s.Names.SequenceEqual(["chown"]));

        // --privileged wins over any profile, as in Docker.
        Assert.Null(Build(TestHosts.Input() with { SeccompProfileJson = Profile, Privileged = true }).Linux!.Seccomp);
    }

    [Fact]
    public void A_profile_with_both_arch_forms_or_both_name_forms_is_refused()
    {
        var both = """{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}""";
        Assert.Contains("use either 'architectures' or 'archMap'", Assert.Throws<WharfException>(() => SecurityOptions.Parse(["seccomp=" + both])).Message, StringComparison.Ordinal);
        var names = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]}""";
        Assert.Contains("use either 'name' or 'names'", Assert.Throws<WharfException>(() => SecurityOptions.Parse(["seccomp=" + names])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_mapping_creates_the_node_at_the_container_path_and_allows_it()
    {
        var spec = Build(TestHosts.Input() with { Devices = [new SpecInputDevice("/dev/null", "/dev/mynull", "r")] });
        var dev = Assert.Single(spec.Linux!.Devices!);
        Assert.Equal(("c", "/dev/mynull", 1L, 3L), (dev.Type, dev.Path, dev.Major, dev.Minor));
        var rule = spec.Linux.Resources!.Devices![^1];
        Assert.Equal((true, "c", 1L, 3L, "r"), (rule.Allow, rule.Type, rule.Major, rule.Minor, rule.Access));
    }

    [Fact]
    public void Device_mapping_of_a_missing_path_or_a_plain_file_fails_as_docker()
    {
        var missing = Assert.Throws<WharfException>(() => Build(TestHosts.Input() with { Devices = [new SpecInputDevice("/dev/nope-wharf", "/dev/nope-wharf", "rwm")] }));
        Assert.Equal("error gathering device information while adding custom device \"/dev/nope-wharf\": no such file or directory", missing.Message);
        var file = Assert.Throws<WharfException>(() => Build(TestHosts.Input() with { Devices = [new SpecInputDevice("/etc/hostname", "/dev/x", "rwm")] }));
        Assert.EndsWith("not a device node", file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_cgroup_rules_follow_dockers_syntax()
    {
        var rules = Build(TestHosts.Input() with { DeviceCgroupRules = ["c 1:3 mr", "b *:* rwm"] }).Linux!.Resources!.Devices!;
        Assert.Equal((true, "c", 1L, 3L, "mr"), (rules[^2].Allow, rules[^2].Type, rules[^2].Major, rules[^2].Minor, rules[^2].Access));
        Assert.Equal(("b", -1L, -1L), (rules[^1].Type, rules[^1].Major, rules[^1].Minor));
        var e = Assert.Throws<WharfException>(() => DeviceMappings.ParseCgroupRule("c 1:3 x"));
        Assert.Equal("invalid device cgroup rule format: 'c 1:3 x'", e.Message);
    }

    [Theory]
    [InlineData("net.ipv4.ip_forward", false, null)]
    [InlineData("kernel.shmmax", false, null)]
    [InlineData("fs.mqueue.msg_max", false, null)]
    [InlineData("kernel.domainname", false, null)]
    [InlineData("vm.swappiness", false, "sysctl \"vm.swappiness\" is not in a separate kernel namespace")]
    [InlineData("kernel.pid_max", false, "sysctl \"kernel.pid_max\" is not in a separate kernel namespace")]
    [InlineData("net.ipv4.ip_forward", true, "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace")]
    public void Only_namespaced_sysctls_are_allowed(string name, bool hostNetwork, string? error)
    {
        if (error is null)
        {
            Sysctls.Validate(name, hostNetwork);
            return;
        }
        Assert.Equal(error, Assert.Throws<WharfException>(() => Sysctls.Validate(name, hostNetwork)).Message);
    }
}
