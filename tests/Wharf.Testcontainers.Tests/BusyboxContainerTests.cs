using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Wharf.EndToEnd.Tests;

namespace Wharf.Testcontainers.Tests;

/// <summary>
/// Testcontainers for .NET (NuGet 4.x, unmodified) against wharfd: it starts a busybox container, waits for it
/// with a wait strategy, execs into it and reads its logs — what a .NET integration test suite does with Docker.
/// </summary>
[Collection(TestcontainersCollection.Name)]
public sealed class BusyboxContainerTests(DaemonFixture fixture)
{
    [Fact]
    public async Task Starts_waits_execs_and_reads_logs()
    {
        var name = fixture.UniqueName("tc-busybox");
        await using var container = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + fixture.Daemon.SocketPath)
            .WithName(name)
            .WithEnvironment("GREETING", "hello-testcontainers")
            .WithCommand("sh", "-c", "echo \"$GREETING\"; echo starting >&2; sleep 1; echo ready; exec sleep 1000")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("ready"))
            .Build();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await container.StartAsync(timeout.Token);

        var exec = await container.ExecAsync(["sh", "-c", "echo exec-out; echo exec-err >&2; exit 3"], timeout.Token);
        Assert.Equal(3, exec.ExitCode);
        Assert.Equal("exec-out\n", exec.Stdout);
        Assert.Equal("exec-err\n", exec.Stderr);

        var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false, ct: timeout.Token);
        Assert.Equal("hello-testcontainers\nready\n", stdout);
        Assert.Equal("starting\n", stderr);

        await container.StopAsync(timeout.Token);
        Assert.Equal(TestcontainersStates.Exited, container.State);
    }

    [Fact]
    public async Task A_container_whose_command_fails_is_reported_by_the_wait_strategy()
    {
        await using var container = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + fixture.Daemon.SocketPath)
            .WithName(fixture.UniqueName("tc-fail"))
            .WithCommand("sh", "-c", "exit 7")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("never printed"))
            .Build();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Testcontainers notices the container exited instead of waiting forever; the exit code comes from inspect.
        await Assert.ThrowsAnyAsync<Exception>(() => container.StartAsync(timeout.Token));
        Assert.Equal(7, await container.GetExitCodeAsync(timeout.Token));
    }
}
