using System.Collections.Concurrent;
using System.Text;
using Wharf.Core;
using Wharf.Runtime;

namespace Wharf.Unit.Tests.Containers;

/// <summary>An in-memory runtime: the "process" prints "hi\n" and exits with <see cref="ExitCode"/> at once
/// (or waits for a signal when <see cref="AutoExit"/> is false).</summary>
internal sealed class FakeRuntime : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ExitRecord>> _exits = new();
    public int ExitCode { get; set; }
    public bool AutoExit { get; set; } = true;
    public string? StartError { get; set; }
    public ConcurrentBag<int> Signals { get; } = [];
    public int Deletes;

    public Task<int> CreateAsync(RuntimeCreateOptions options, CancellationToken cancellationToken)
    {
        Assert.True(File.Exists(Path.Combine(options.BundleDir, "config.json")));
        _exits[options.Id] = new TaskCompletionSource<ExitRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Task.FromResult(4242);
    }

    public Task StartAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        if (StartError is not null) throw WharfException.Invalid(StartError);
        if (AutoExit)
            _ = Task.Run(async () =>
            {
                await Task.Delay(50);
                _exits[id].TrySetResult(new ExitRecord(ExitCode, DateTimeOffset.UtcNow));
            });
        return Task.CompletedTask;
    }

    public Task KillAsync(string id, string stateDir, int signal, bool all, CancellationToken cancellationToken)
    {
        Signals.Add(signal);
        if (!_exits.TryGetValue(id, out var t) || t.Task.IsCompleted) throw WharfException.NotFound("not running");
        t.TrySetResult(new ExitRecord(128 + signal, DateTimeOffset.UtcNow));
        return AfterKill?.Invoke(id) ?? Task.CompletedTask;
    }

    /// <summary>Awaited at the end of a successful kill: lets a test hold the kill until the service has recorded
    /// the exit it causes, the order a loaded machine sometimes produces.</summary>
    public Func<string, Task>? AfterKill { get; set; }

    public ConcurrentDictionary<string, bool> Paused { get; } = new();

    public Task PauseAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        if (!_exits.TryGetValue(id, out var t) || t.Task.IsCompleted) throw WharfException.Conflict("container not running");
        if (Paused.GetValueOrDefault(id)) throw WharfException.Conflict("container already paused");
        Paused[id] = true;
        return Task.CompletedTask;
    }

    public Task ResumeAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        if (!Paused.GetValueOrDefault(id)) throw WharfException.Conflict("container not paused");
        Paused[id] = false;
        return Task.CompletedTask;
    }

    /// <summary>The resources of the last update, by container id.</summary>
    public ConcurrentDictionary<string, Wharf.Runtime.Spec.SpecResources> Updates { get; } = new();

    public Task UpdateAsync(string id, string stateDir, Wharf.Runtime.Spec.SpecResources resources, CancellationToken cancellationToken)
    {
        if (!_exits.TryGetValue(id, out var t) || t.Task.IsCompleted) throw WharfException.Conflict("container not running");
        Updates[id] = resources;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<int>> ListPidsAsync(string id, string stateDir, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<int>>([Environment.ProcessId]);

    public Task<IAttachSession> AttachAsync(string id, string stateDir, CancellationToken cancellationToken) =>
        Task.FromResult<IAttachSession>(new Session(_exits[id].Task));

    public Task ResizeAsync(string id, string stateDir, int height, int width, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Ends every container still running (as SIGKILL would), so a test can let the service settle.</summary>
    public void ExitAll()
    {
        foreach (var tcs in _exits.Values) tcs.TrySetResult(new ExitRecord(137, DateTimeOffset.UtcNow));
    }

    public Task<ExitRecord> WaitAsync(string id, string stateDir, CancellationToken cancellationToken) => _exits[id].Task;

    public Task<RuntimeState> GetStateAsync(string id, string stateDir, CancellationToken cancellationToken) =>
        Task.FromResult(new RuntimeState(RuntimeStatus.Unknown, 0, null));

    public Task DeleteAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Deletes);
        return Task.CompletedTask;
    }

    // Exec is exercised against real runc (RuncRuntimeExecTests, ExecTests); the fake has none.
    public Task<int> CreateExecAsync(string id, string stateDir, string execId, ExecProcess process, bool detach, CancellationToken cancellationToken) =>
        throw new NotSupportedException("FakeRuntime has no exec");

    public Task<IAttachSession> AttachExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("FakeRuntime has no exec");

    public Task ResizeExecAsync(string id, string stateDir, string execId, int height, int width, CancellationToken cancellationToken) =>
        throw new NotSupportedException("FakeRuntime has no exec");

    public Task<ExitRecord> WaitExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("FakeRuntime has no exec");

    public Task DeleteExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ExecResult> ExecAsync(string id, string stateDir, ExecProcess process, CancellationToken cancellationToken) =>
        throw new NotSupportedException("FakeRuntime has no exec");

    private sealed class Session(Task exited) : IAttachSession
    {
        private bool _sent;

        public async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
        {
            if (!_sent)
            {
                _sent = true;
                return new OutputChunk(1, Encoding.UTF8.GetBytes("hi\n"));
            }
            await exited.WaitAsync(cancellationToken);
            return null;
        }

        public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask CloseStdinAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
