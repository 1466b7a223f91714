namespace Wharf.EndToEnd.Tests;

/// <summary>`docker run` exits with the codes Docker users script against.</summary>
[Collection(ContainersCollection.Name)]
public sealed class ExitCodeTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Container_exit_code_becomes_the_cli_exit_code()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", "exit 3");

        Assert.True(result.ExitCode == 3, result.ToString());
    }

    [Fact]
    public async Task Missing_command_exits_127()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "no-such-command");

        Assert.True(result.ExitCode == 127, result.ToString());
    }

    [Fact]
    public async Task Directory_as_command_exits_126()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "/etc");

        Assert.True(result.ExitCode == 126, result.ToString());
    }

    [Fact]
    public async Task Killed_process_exits_137()
    {
        var result = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", "kill -9 $$");

        Assert.True(result.ExitCode == 137, result.ToString());
    }

    [Fact]
    public async Task Unknown_cli_flag_exits_125()
    {
        var result = await wharf.Docker("run", "--rm", "--no-such-flag", "busybox", "true");

        Assert.True(result.ExitCode == 125, result.ToString());
    }

    [Fact]
    public async Task Daemon_side_error_exits_125_with_the_daemon_message()
    {
        var result = await wharf.Docker("run", "--rm", "--name", "bad/name", "busybox", "true");

        Assert.True(result.ExitCode == 125, result.ToString());
        Assert.Contains("Error response from daemon", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Invalid container name", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_image_exits_125_after_failing_to_find_it()
    {
        var image = wharf.UniqueName("no-such-image");

        var result = await wharf.Docker("run", "--rm", image, "true");

        Assert.True(result.ExitCode == 125, result.ToString());
        Assert.Contains($"Unable to find image '{image}:latest' locally", result.Stderr, StringComparison.Ordinal);
    }
}
