using Wharf.Runtime;

namespace Wharf.Engine.Containers;

/// <summary>
/// One client's attachment to a container's stdio. Made before start it waits, and is connected to the
/// monitor when the container starts; made while running it connects at once.
/// </summary>
public sealed class ContainerAttach : IAsyncDisposable
{
    private readonly TaskCompletionSource<IAttachSession?> _session = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _stdin;
    private readonly bool _stdout;
    private readonly bool _stderr;
    private Action<ContainerAttach>? _unregister;

    internal ContainerAttach(bool tty, bool stdin, bool stdout, bool stderr)
    {
        Tty = tty;
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
    }

    /// <summary>The container has a TTY: output is one raw stream (no stdcopy framing).</summary>
    public bool Tty { get; }

    internal void SetUnregister(Action<ContainerAttach> unregister) => _unregister = unregister;

    internal void Connect(IAttachSession session)
    {
        if (!_session.TrySetResult(session)) _ = session.DisposeAsync().AsTask();
    }

    /// <summary>No (more) output will come: the container is gone or the connection failed.</summary>
    internal void End() => _session.TrySetResult(null);

    /// <summary>Next output chunk of a requested stream, or null at the end.</summary>
    public async ValueTask<AttachChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        var s = await _session.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (s is null) return null;
        while (true)
        {
            var chunk = await s.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (chunk is not { } c) return null;
            if (c.Stream == 2 ? !_stderr : !_stdout) continue;
            return new AttachChunk(c.Stream, c.Data);
        }
    }

    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_stdin) return;
        var s = await _session.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (s is not null) await s.WriteStdinAsync(data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The client's stdin ended (half-close). Output keeps flowing.</summary>
    public async ValueTask CloseStdinAsync(CancellationToken cancellationToken)
    {
        if (!_stdin) return;
        var s = await _session.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (s is not null) await s.CloseStdinAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _unregister, null)?.Invoke(this);
        if (!_session.TrySetResult(null) && _session.Task.Result is { } s)
            await s.DisposeAsync().ConfigureAwait(false);
    }
}
