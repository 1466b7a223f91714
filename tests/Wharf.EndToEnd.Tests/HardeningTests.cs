namespace Wharf.EndToEnd.Tests;

/// <summary>Docker's default hardening seen from inside a running busybox container.</summary>
[Collection(ContainersCollection.Name)]
public sealed class HardeningTests(DaemonFixture wharf)
{
    private async Task<CommandResult> Run(params string[] args) => (await wharf.Docker(["run", "--rm", .. args])).EnsureSuccess();

    [Fact]
    public async Task Default_container_has_dockers_bounding_set_and_seccomp_filter()
    {
        var status = (await Run("busybox", "cat", "/proc/1/status")).StdoutLines;
        Assert.Contains("CapBnd:\t00000000a80425fb", status);
        Assert.Contains("CapEff:\t00000000a80425fb", status);
        Assert.Contains("CapInh:\t0000000000000000", status);
        Assert.Contains("CapAmb:\t0000000000000000", status);
        Assert.Contains("Seccomp:\t2", status);
        Assert.Contains("NoNewPrivs:\t0", status);
    }

    [Fact]
    public async Task Pid_1_holds_only_stdin_stdout_and_stderr()
    {
        // "; true" keeps sh as pid 1 instead of exec-ing ls; any descriptor of wharfd, the shim or runc
        // leaked through would show up here.
        var fds = (await Run("busybox", "sh", "-c", "ls /proc/1/fd; true")).StdoutLines;
        Assert.Equal(["0", "1", "2"], fds);
        var tty = (await wharf.DockerInTerminal("run --rm -t busybox sh -c 'ls -1 /proc/1/fd; true'")).EnsureSuccess();
        Assert.Equal(["0", "1", "2"], tty.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Proc_kcore_and_the_other_masked_paths_are_masked_and_proc_sys_is_read_only()
    {
        // Some kernels (this VM's) have no /proc/kcore; runc masks only what exists, so each path is either
        // absent or replaced by /dev/null.
        const string Script = "for p in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts /proc/sched_debug; do "
            + "if [ -e $p ]; then stat -c \"$p %F %t:%T\" $p; else echo \"$p absent\"; fi; done";
        var lines = (await Run("busybox", "sh", "-c", Script)).StdoutLines;
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^/proc/\S+ (absent|character special file 1:3)$", l));
        Assert.Contains(lines, l => l.EndsWith("1:3", StringComparison.Ordinal));

        var write = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", "echo 1 > /proc/sys/vm/overcommit_memory");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only file system", write.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dockers_mounts_are_there_with_sys_read_only()
    {
        var mounts = (await Run("busybox", "cat", "/proc/mounts")).StdoutLines.Select(l => l.Split(' ')).ToList();
        string[] Mount(string target) => mounts.LastOrDefault(m => m[1] == target) ?? throw new Xunit.Sdk.XunitException($"{target} is not mounted");

        Assert.Equal("proc", Mount("/proc")[2]);
        Assert.Equal("tmpfs", Mount("/dev")[2]);
        Assert.Equal("devpts", Mount("/dev/pts")[2]);
        Assert.Equal("tmpfs", Mount("/dev/shm")[2]);
        Assert.Equal("mqueue", Mount("/dev/mqueue")[2]);
        var sys = Mount("/sys");
        Assert.Equal("sysfs", sys[2]);
        Assert.StartsWith("ro,", sys[3], StringComparison.Ordinal);
        Assert.Contains("size=65536k", Mount("/dev/shm")[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privileged_lifts_the_masks_and_sys_is_writable()
    {
        var mounts = (await Run("--privileged", "busybox", "cat", "/proc/mounts")).StdoutLines;
        Assert.Contains(mounts, l => l.StartsWith("sysfs /sys sysfs rw,", StringComparison.Ordinal));
        var keys = await Run("--privileged", "busybox", "stat", "-c", "%F", "/proc/keys");
        // busybox says "regular empty file" for a /proc file; masked it would be a character device.
        Assert.StartsWith("regular", keys.Stdout, StringComparison.Ordinal);
    }
}
