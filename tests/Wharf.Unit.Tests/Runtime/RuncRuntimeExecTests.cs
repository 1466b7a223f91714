using System.Text;
using Wharf.Core;
using Wharf.Runtime;

namespace Wharf.Unit.Tests.Runtime;

/// <summary>Exec sessions against real runc + wharf-shim, as root, in a running busybox container.</summary>
public sealed class RuncRuntimeExecTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<RuncTestContainer> StartSleeperAsync(CancellationToken ct)
    {
        var c = new RuncTestContainer("sleep", "1000");
        try
        {
            var rt = c.NewRuntime();
            await rt.CreateAsync(c.Options(), ct);
            await rt.StartAsync(c.Id, c.StateDir, ct);
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task ExecAsync_returns_exit_code_and_both_streams_and_cleans_up()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        var result = await c.NewRuntime().ExecAsync(c.Id, c.StateDir,
            new ExecProcess(["sh", "-c", "echo out; echo err >&2; exit 5"]), cts.Token);
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("out\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("err\n", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(c.StateDir, "exec")));
    }

    [Fact]
    public async Task ExecAsync_gets_env_workdir_and_numeric_user()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        var result = await c.NewRuntime().ExecAsync(c.Id, c.StateDir,
            new ExecProcess(["sh", "-c", "echo $FOO; pwd; id -u"]) { Env = ["FOO=bar"], WorkingDir = "/bin", User = "1234" },
            cts.Token);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("bar\n/bin\n1234\n", result.Output);
    }

    [Fact]
    public async Task ExecAsync_cancelled_kills_the_process_and_throws()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            c.NewRuntime().ExecAsync(c.Id, c.StateDir, new ExecProcess(["sleep", "300"]), timeout.Token));
        var pids = await c.NewRuntime().ListPidsAsync(c.Id, c.StateDir, cts.Token);
        Assert.Single(pids);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(c.StateDir, "exec")));
    }

    [Fact]
    public async Task Missing_command_is_invalid_with_runcs_words_and_leaves_nothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        var ex = await Assert.ThrowsAsync<WharfException>(() =>
            c.NewRuntime().ExecAsync(c.Id, c.StateDir, new ExecProcess(["nope-not-here"]), cts.Token));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("executable file not found", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(c.StateDir, "exec")));
    }

    [Fact]
    public async Task Exec_into_a_stopped_container_is_a_conflict()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        var rt = c.NewRuntime();
        await rt.KillAsync(c.Id, c.StateDir, 9, all: false, cts.Token);
        await rt.WaitAsync(c.Id, c.StateDir, cts.Token);
        var ex = await Assert.ThrowsAsync<WharfException>(() => rt.ExecAsync(c.Id, c.StateDir, new ExecProcess(["true"]), cts.Token));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"Container {c.Id} is not running", ex.Message);
    }

    [Fact]
    public async Task Tty_exec_with_stdin_is_interactive_and_resizes()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        var rt = c.NewRuntime();
        var execId = Ids.NewId();
        int pid = await rt.CreateExecAsync(c.Id, c.StateDir, execId,
            new ExecProcess(["sh"]) { Tty = true, OpenStdin = true, ConsoleHeight = 24, ConsoleWidth = 80 }, detach: false, cts.Token);
        Assert.True(pid > 0);
        try
        {
            await using var session = await rt.AttachExecAsync(c.Id, c.StateDir, execId, cts.Token);
            await rt.ResizeExecAsync(c.Id, c.StateDir, execId, 33, 111, cts.Token);
            await session.WriteStdinAsync("stty size; exit 7\n"u8.ToArray(), cts.Token);
            var output = new StringBuilder();
            while (await session.ReadAsync(cts.Token) is { } chunk)
            {
                Assert.Equal(1, chunk.Stream);
                output.Append(Encoding.UTF8.GetString(chunk.Data.Span));
            }
            Assert.Contains("33 111", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(7, (await rt.WaitExecAsync(c.Id, c.StateDir, execId, cts.Token)).ExitCode);
        }
        finally
        {
            await rt.DeleteExecAsync(c.Id, c.StateDir, execId, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Piped_stdin_reaches_the_exec_and_its_end_closes_it()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var c = await StartSleeperAsync(cts.Token);
        var rt = c.NewRuntime();
        var execId = Ids.NewId();
        await rt.CreateExecAsync(c.Id, c.StateDir, execId, new ExecProcess(["cat"]) { OpenStdin = true }, detach: false, cts.Token);
        try
        {
            await using var session = await rt.AttachExecAsync(c.Id, c.StateDir, execId, cts.Token);
            await session.WriteStdinAsync("ping\n"u8.ToArray(), cts.Token);
            await session.CloseStdinAsync(cts.Token);
            var output = new StringBuilder();
            while (await session.ReadAsync(cts.Token) is { } chunk) output.Append(Encoding.UTF8.GetString(chunk.Data.Span));
            Assert.Equal("ping\n", output.ToString());
            Assert.Equal(0, (await rt.WaitExecAsync(c.Id, c.StateDir, execId, cts.Token)).ExitCode);
        }
        finally
        {
            await rt.DeleteExecAsync(c.Id, c.StateDir, execId, CancellationToken.None);
        }
    }
}
