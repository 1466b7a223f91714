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
    public async Task Foreground_run_of_a_killed_container_exits_137()
    {
        // `sh -c 'kill -9 $$'` would not do: the shell is PID 1 of its namespace and the kernel ignores it.
        var name = wharf.UniqueName("fgkill");
        var run = wharf.Docker("run", "--rm", "--name", name, "busybox", "sleep", "60");
        await WaitUntilRunning(name, run);

        (await wharf.Docker("kill", name)).EnsureSuccess();
        var result = await run;

        Assert.True(result.ExitCode == 137, result.ToString());
    }

    private async Task WaitUntilRunning(string name, Task<CommandResult> run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            var state = await wharf.Docker("inspect", "-f", "{{.State.Running}}", name);
            if (state.Stdout.Trim() == "true")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail(run.IsCompleted ? "docker run ended early: " + await run : $"{name} never ran");
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
