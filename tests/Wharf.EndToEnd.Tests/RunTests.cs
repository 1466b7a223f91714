namespace Wharf.EndToEnd.Tests;

/// <summary>`docker run` in the foreground: output, stdin, TTY and the options that shape the process.</summary>
[Collection(ContainersCollection.Name)]
public sealed class RunTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Run_rm_echo_prints_its_output_and_exits_0()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "echo", "hi");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi\n", result.Stdout);
    }

    [Fact]
    public async Task Run_rm_leaves_no_container_behind()
    {
        var name = wharf.UniqueName("rm");
        (await wharf.Docker("run", "--rm", "--name", name, "busybox", "true")).EnsureSuccess();

        var listed = (await wharf.Docker("ps", "-a", "--filter", "name=" + name, "--format", "{{.Names}}")).EnsureSuccess();
        Assert.Empty(listed.StdoutLines);
    }

    [Fact]
    public async Task Run_interactive_pipes_stdin_to_the_container()
    {
        var result = await wharf.DockerWith(["run", "--rm", "-i", "busybox", "cat"], stdin: "x\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("x\n", result.Stdout);
    }

    [Fact]
    public async Task Run_with_tty_gives_the_container_a_terminal()
    {
        var result = await wharf.DockerInTerminal("run --rm -t busybox sh -c tty");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("/dev/pts/0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_keeps_stdout_and_stderr_apart()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("out\n", result.Stdout);
        Assert.Contains("err", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("err", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_flag_sets_a_variable()
    {
        var result = await wharf.Docker("run", "--rm", "-e", "FOO=bar", "busybox", "sh", "-c", "echo $FOO");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("bar\n", result.Stdout);
    }

    [Fact]
    public async Task Workdir_flag_sets_the_working_directory()
    {
        var result = await wharf.Docker("run", "--rm", "-w", "/tmp", "busybox", "pwd");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/tmp\n", result.Stdout);
    }

    [Fact]
    public async Task Workdir_flag_creates_a_missing_directory()
    {
        var result = await wharf.Docker("run", "--rm", "-w", "/does/not/exist", "busybox", "pwd");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/does/not/exist\n", result.Stdout);
    }

    [Fact]
    public async Task User_flag_runs_the_process_as_that_user()
    {
        var result = await wharf.Docker("run", "--rm", "-u", "1000:1000", "busybox", "id");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("uid=1000 gid=1000", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_user_is_root()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "id", "-u");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("0\n", result.Stdout);
    }

    [Fact]
    public async Task Hostname_flag_sets_the_hostname()
    {
        var result = await wharf.Docker("run", "--rm", "--hostname", "myhost", "busybox", "hostname");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("myhost\n", result.Stdout);
    }

    [Fact]
    public async Task Entrypoint_flag_replaces_the_entrypoint_and_keeps_the_arguments()
    {
        var result = await wharf.Docker("run", "--rm", "--entrypoint", "echo", "busybox", "hello", "world");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hello world\n", result.Stdout);
    }

    [Fact]
    public async Task Container_runs_in_its_own_pid_namespace_as_pid_1()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", "echo $$");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("1\n", result.Stdout);
    }

    [Fact]
    public async Task Network_none_has_only_loopback()
    {
        var result = await wharf.Docker("run", "--rm", "--network", "none", "busybox", "ls", "/sys/class/net");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["lo"], result.StdoutLines);
    }
}
