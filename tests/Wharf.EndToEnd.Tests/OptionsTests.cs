namespace Wharf.EndToEnd.Tests;

/// <summary>`docker run` options that shape the container's security and environment, each shown by what a
/// process inside the container sees.</summary>
[Collection(ContainersCollection.Name)]
public sealed class OptionsTests(DaemonFixture wharf)
{
    private async Task<CommandResult> Run(params string[] args) => await wharf.Docker(["run", "--rm", .. args]);

    [Fact]
    public async Task Cap_drop_all_makes_chown_fail()
    {
        var result = await Run("--cap-drop", "ALL", "busybox", "chown", "1", "/tmp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Operation not permitted", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cap_add_without_the_prefix_grants_exactly_that_capability()
    {
        var result = (await Run("--cap-drop", "ALL", "--cap-add", "chown", "busybox", "grep", "CapBnd", "/proc/1/status")).EnsureSuccess();
        Assert.Contains("0000000000000001", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_capability_is_refused_with_dockers_message()
    {
        var result = await Run("--cap-add", "FOO", "busybox", "true");
        Assert.Equal(125, result.ExitCode);
        Assert.Contains("unknown capability: \"CAP_FOO\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_rootfs_refuses_writes_but_dev_shm_stays_writable()
    {
        var root = await Run("--read-only", "busybox", "touch", "/x");
        Assert.NotEqual(0, root.ExitCode);
        Assert.Contains("Read-only file system", root.Stderr, StringComparison.Ordinal);
        (await Run("--read-only", "busybox", "touch", "/dev/shm/x")).EnsureSuccess();
    }

    [Fact]
    public async Task Init_runs_docker_init_as_pid_1()
    {
        var result = (await Run("--init", "busybox", "cat", "/proc/1/cmdline")).EnsureSuccess();
        Assert.StartsWith("/sbin/docker-init\0--\0cat\0/proc/1/cmdline", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privileged_gets_the_daemons_capabilities_host_devices_and_no_seccomp()
    {
        var status = (await Run("--privileged", "busybox", "cat", "/proc/1/status")).EnsureSuccess().StdoutLines;
        Assert.DoesNotContain("CapEff:\t00000000a80425fb", status);
        Assert.Contains("Seccomp:\t0", status);
        var devices = (await Run("--privileged", "busybox", "ls", "/dev")).EnsureSuccess().StdoutLines;
        Assert.Contains("loop0", devices);
        var plain = (await Run("busybox", "ls", "/dev")).EnsureSuccess().StdoutLines;
        Assert.DoesNotContain("loop0", plain);
    }

    [Fact]
    public async Task Tmpfs_mounts_with_size_and_dockers_default_options()
    {
        var df = (await Run("--tmpfs", "/run:size=1m", "busybox", "df", "-k", "/run")).EnsureSuccess();
        Assert.Matches(@"tmpfs\s+1024\s", df.Stdout);
        var mounts = (await Run("--tmpfs", "/run:size=1m", "busybox", "grep", " /run ", "/proc/mounts")).EnsureSuccess();
        Assert.Contains("nosuid", mounts.Stdout, StringComparison.Ordinal);
        Assert.Contains("nodev", mounts.Stdout, StringComparison.Ordinal);
        Assert.Contains("noexec", mounts.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_new_privileges_sets_the_flag_on_the_process()
    {
        var on = (await Run("--security-opt", "no-new-privileges", "busybox", "grep", "NoNewPrivs", "/proc/1/status")).EnsureSuccess();
        Assert.Contains("1", on.Stdout, StringComparison.Ordinal);
        var off = (await Run("--security-opt", "no-new-privileges=false", "busybox", "grep", "NoNewPrivs", "/proc/1/status")).EnsureSuccess();
        Assert.Contains("0", off.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seccomp_unconfined_turns_the_filter_off()
    {
        var result = (await Run("--security-opt", "seccomp=unconfined", "busybox", "grep", "Seccomp:", "/proc/1/status")).EnsureSuccess();
        Assert.Contains("Seccomp:\t0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seccomp_profile_file_in_dockers_format_is_enforced()
    {
        var profile = Path.Combine(Path.GetTempPath(), "wharf-seccomp-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            await File.WriteAllTextAsync(profile, """
                {
                  "defaultAction": "SCMP_ACT_ALLOW",
                  "archMap": [{ "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] }],
                  "syscalls": [{ "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }]
                }
                """);
            var result = await Run("--security-opt", "seccomp=" + profile, "busybox", "mkdir", "/tmp/d");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Permission denied", result.Stderr, StringComparison.Ordinal);
            (await Run("busybox", "mkdir", "/tmp/d")).EnsureSuccess();
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public async Task Apparmor_and_label_options_are_accepted_on_a_host_without_them()
    {
        (await Run("--security-opt", "apparmor=unconfined", "--security-opt", "label=disable", "busybox", "true")).EnsureSuccess();
        var bad = await Run("--security-opt", "foo=bar", "busybox", "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("invalid --security-opt 2: \"foo=bar\"", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_is_created_at_the_container_path()
    {
        var result = (await Run("--device", "/dev/null:/dev/mynull", "busybox", "sh", "-c", "echo hi > /dev/mynull && ls -l /dev/mynull")).EnsureSuccess();
        Assert.StartsWith("c", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"1,\s+3", result.Stdout);
        var missing = await Run("--device", "/dev/wharf-no-such-device", "busybox", "true");
        // The docker CLI turns any error mentioning "no such file or directory" into 127, as with Docker.
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("error gathering device information while adding custom device \"/dev/wharf-no-such-device\"", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_cgroup_rule_allows_opening_a_node_made_inside()
    {
        // Reading an unbound loop device is harmless; without a rule the device cgroup forbids opening it.
        const string Script = "mknod /tmp/l b 7 0 && head -c 1 /tmp/l; echo done";
        var denied = (await Run("busybox", "sh", "-c", Script)).EnsureSuccess();
        Assert.Contains("Operation not permitted", denied.Stderr, StringComparison.Ordinal);
        var allowed = (await Run("--device-cgroup-rule", "b 7:* r", "busybox", "sh", "-c", Script)).EnsureSuccess();
        Assert.DoesNotContain("Operation not permitted", allowed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_host_is_written_to_etc_hosts()
    {
        var result = (await Run("--add-host", "db.internal:10.1.2.3", "busybox", "cat", "/etc/hosts")).EnsureSuccess();
        Assert.Contains("10.1.2.3\tdb.internal", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_add_adds_supplementary_groups()
    {
        var result = (await Run("--group-add", "users", "--group-add", "4321", "busybox", "id", "-G")).EnsureSuccess();
        var groups = result.Stdout.Trim().Split(' ');
        Assert.Contains("100", groups);
        Assert.Contains("4321", groups);
    }

    [Fact]
    public async Task User_name_and_group_name_resolve_from_the_images_files()
    {
        var result = (await Run("--user", "nobody:nogroup", "busybox", "id")).EnsureSuccess();
        Assert.StartsWith("uid=65534(nobody) gid=65534(nogroup)", result.Stdout, StringComparison.Ordinal);
        var missing = await Run("--user", "nosuchuser", "busybox", "id");
        Assert.Equal(125, missing.ExitCode);
        Assert.Contains("unable to find user nosuchuser", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespaced_sysctl_is_set_and_a_host_wide_one_is_refused()
    {
        var result = (await Run("--sysctl", "net.ipv4.ip_forward=1", "busybox", "cat", "/proc/sys/net/ipv4/ip_forward")).EnsureSuccess();
        Assert.Equal("1\n", result.Stdout);
        var refused = await Run("--sysctl", "vm.swappiness=10", "busybox", "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("sysctl 'vm.swappiness=10' is not allowed", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_opts_rotate_the_json_log_and_bad_values_are_refused()
    {
        var name = wharf.UniqueName("logrot");
        (await wharf.Docker("run", "--name", name, "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "busybox", "seq", "1", "3000")).EnsureSuccess();
        try
        {
            var logs = (await wharf.Docker("logs", name)).EnsureSuccess().StdoutLines;
            Assert.Equal("3000", logs[^1]);
            // Two files of about 1 KiB each hold a few hundred short lines, never all 3000.
            Assert.True(logs.Length < 1000, $"{logs.Length} lines kept");
            Assert.NotEqual("1", logs[0]);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }

        var badFile = await Run("--log-opt", "max-file=0", "--log-opt", "max-size=1k", "busybox", "true");
        Assert.Equal(125, badFile.ExitCode);
        Assert.Contains("max-file cannot be less than 1", badFile.Stderr, StringComparison.Ordinal);
        var unknown = await Run("--log-opt", "colour=blue", "busybox", "true");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("unknown log opt 'colour' for json-file log driver", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wharf_cli_passes_the_same_options()
    {
        var envFile = Path.Combine(Path.GetTempPath(), "wharf-env-" + Guid.NewGuid().ToString("N"));
        try
        {
            await File.WriteAllTextAsync(envFile, "# comment\nFROM_FILE=yes\n");
            var result = (await wharf.Wharf("run", "--rm", "--env-file", envFile, "--cap-drop", "ALL", "--tmpfs", "/scratch",
                "--add-host", "h:10.9.9.9", "busybox", "sh", "-c", "echo $FROM_FILE; grep CapBnd /proc/1/status; grep ' /scratch ' /proc/mounts; grep h$ /etc/hosts")).EnsureSuccess();
            Assert.Contains("yes\n", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("0000000000000000", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("tmpfs /scratch tmpfs", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("10.9.9.9\th", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(envFile);
        }
    }
}
