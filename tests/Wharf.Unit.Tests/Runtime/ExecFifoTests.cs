using System.Diagnostics;
using Wharf.Runtime;

namespace Wharf.Unit.Tests.Runtime;

/// <summary>The in-process `runc start`: release the init waiting on runc's exec fifo, or decline so that runc
/// itself answers.</summary>
public sealed class ExecFifoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-execfifo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string MakeFifo()
    {
        var path = Path.Combine(_dir, ExecFifo.FileName);
        using var p = Process.Start("mkfifo", path) ?? throw new InvalidOperationException("mkfifo did not start");
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return path;
    }

    [Fact]
    public async Task ReleasesTheWaitingWriterAndRemovesTheFifo()
    {
        var fifo = MakeFifo();
        // Plays runc init: blocks opening the fifo for writing, writes one byte, then "execs" (closes).
        var init = Task.Run(() =>
        {
            using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            w.WriteByte((byte)'0');
        });
        Assert.True(ExecFifo.TryRelease(fifo, Environment.ProcessId));
        await init.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(File.Exists(fifo));
    }

    [Fact]
    public void DeclinesWhenTheInitIsDeadAndLeavesTheFifo()
    {
        var fifo = MakeFifo();
        using var p = Process.Start("true") ?? throw new InvalidOperationException("true did not start");
        p.WaitForExit();
        Assert.False(ExecFifo.TryRelease(fifo, p.Id));
        Assert.True(File.Exists(fifo));
    }

    [Fact]
    public void DeclinesWhenThereIsNoFifo()
    {
        Assert.False(ExecFifo.TryRelease(Path.Combine(_dir, "missing"), Environment.ProcessId));
        var regular = Path.Combine(_dir, "regular");
        File.WriteAllText(regular, "0");
        Assert.False(ExecFifo.TryRelease(regular, Environment.ProcessId));
        Assert.True(File.Exists(regular));
    }
}
