using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Cli.Commands;
using Wharf.Cli.Parsing;

namespace Wharf.Unit.Tests.Cli;

public sealed class CreateOptionsTests
{
    private static readonly Dictionary<string, string> Env = new() { ["FROM_CLIENT"] = "yes" };

    private static CreateOptions Run(params string[] args) =>
        CreateOptions.Parse(args, isRun: true, k => Env.TryGetValue(k, out var v) ? v : null, () => (30, 100));

    [Fact]
    public void Plain_run_attaches_stdout_and_stderr_only()
    {
        var o = Run("--rm", "busybox", "echo", "hi");
        var r = o.Request;
        Assert.Equal("busybox", r.Image);
        Assert.Equal(["echo", "hi"], r.Cmd);
        Assert.False(r.AttachStdin);
        Assert.True(r.AttachStdout);
        Assert.True(r.AttachStderr);
        Assert.False(r.OpenStdin);
        Assert.False(r.StdinOnce);
        Assert.False(r.Tty);
        Assert.True(r.HostConfig!.AutoRemove);
        Assert.Equal("default", r.HostConfig.NetworkMode);
        Assert.True(r.NetworkingConfig!.EndpointsConfig!.ContainsKey("default"));
        Assert.Equal([0u, 0u], r.HostConfig.ConsoleSize);
        Assert.Null(r.Entrypoint);
        Assert.Equal("no", r.HostConfig.RestartPolicy.Name);
    }

    [Fact]
    public void Interactive_tty_sets_stdin_flags_like_docker()
    {
        var r = Run("-it", "busybox", "sh").Request;
        Assert.True(r.AttachStdin);
        Assert.True(r.OpenStdin);
        Assert.True(r.StdinOnce);
        Assert.True(r.Tty);
        Assert.Equal([30u, 100u], r.HostConfig!.ConsoleSize);
    }

    [Fact]
    public void Detach_clears_every_attach_flag_but_keeps_open_stdin()
    {
        var o = Run("-dit", "--name", "s", "busybox", "sleep", "60");
        Assert.True(o.Detach);
        Assert.Equal("s", o.Name);
        var r = o.Request;
        Assert.False(r.AttachStdin);
        Assert.False(r.AttachStdout);
        Assert.False(r.AttachStderr);
        Assert.False(r.StdinOnce);
        Assert.True(r.OpenStdin);
        Assert.True(r.Tty);
    }

    [Fact]
    public void Flags_after_the_image_belong_to_the_container()
    {
        var r = Run("-e", "A=1", "busybox", "ls", "-l", "--rm", "-e", "x").Request;
        Assert.Equal(["ls", "-l", "--rm", "-e", "x"], r.Cmd);
        Assert.False(r.HostConfig!.AutoRemove);
        Assert.Equal(["A=1"], r.Env);
    }

    [Fact]
    public void Env_labels_workdir_user_hostname_network()
    {
        var r = Run("-e", "A=B", "--env=C=", "-e", "FROM_CLIENT", "-e", "UNSET", "-l", "k=v", "--label", "flag", "-lx=y=z",
            "-w", "/tmp", "-u", "1000:1000", "-h", "box", "--network", "host", "busybox").Request;
        Assert.Equal(["A=B", "C=", "FROM_CLIENT=yes", "UNSET"], r.Env);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "v", ["flag"] = "", ["x"] = "y=z" }, r.Labels);
        Assert.Equal("/tmp", r.WorkingDir);
        Assert.Equal("1000:1000", r.User);
        Assert.Equal("box", r.Hostname);
        Assert.Equal("host", r.HostConfig!.NetworkMode);
        Assert.Empty(r.NetworkingConfig!.EndpointsConfig!);
        Assert.Null(r.Cmd);
    }

    [Fact]
    public void Entrypoint_override_and_reset()
    {
        Assert.Equal(["/bin/echo"], Run("--entrypoint", "/bin/echo", "busybox", "x").Request.Entrypoint);
        Assert.Equal([""], Run("--entrypoint=", "busybox").Request.Entrypoint);
    }

    [Fact]
    public void Create_is_never_detached_and_has_no_detach_flag()
    {
        var o = CreateOptions.Parse(["-i", "busybox"], isRun: false, _ => null);
        Assert.False(o.Detach);
        Assert.True(o.Request.StdinOnce);
        Assert.Throws<UsageException>(() => CreateOptions.Parse(["-d", "busybox"], isRun: false, _ => null));
    }

    [Theory]
    [InlineData("--bogus", "busybox")]
    [InlineData("--name")]
    [InlineData("-d")]
    [InlineData("--restart", "always", "--rm", "busybox")]
    [InlineData("-e", "=x", "busybox")]
    public void Bad_command_lines_are_usage_errors(params string[] args) =>
        Assert.Throws<UsageException>(() => Run(args));

    [Fact]
    public void Body_serializes_with_docker_field_names()
    {
        var json = JsonSerializer.Serialize(Run("-t", "--rm", "busybox", "true").Request, ContainerJsonContext.Default.ContainerCreateRequest);
        Assert.Contains("\"Tty\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"AutoRemove\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"ConsoleSize\":[30,100]", json, StringComparison.Ordinal);
        Assert.Contains("\"Cmd\":[\"true\"]", json, StringComparison.Ordinal);
    }
}
