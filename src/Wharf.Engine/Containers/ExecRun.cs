using Wharf.Runtime;

namespace Wharf.Engine.Containers;

/// <summary>
/// One client's start of an exec instance (<c>POST /exec/{id}/start</c>). Validated when made, so refusals
/// are still plain HTTP errors; <see cref="StartAsync"/> then launches the process, and the stream methods
/// carry its stdio. <see cref="Exited"/> completes once the exit code is recorded, which the endpoint awaits
/// before closing the stream (the CLI inspects the exec for its exit code right after).
/// </summary>
public sealed class ExecRun : IAsyncDisposable
{
    private readonly Func<bool, CancellationToken, Task<IAttachSession?>> _start;
    private readonly bool _stdout;
    private readonly bool _stderr;
    private readonly bool _stdin;
    private IAttachSession? _session;

    internal ExecRun(bool tty, bool stdin, bool stdout, bool stderr, IReadOnlyList<byte> detachKeys, Task exited,
        Func<bool, CancellationToken, Task<IAttachSession?>> start)
    {
        Tty = tty;
        DetachKeys = detachKeys;
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
        Exited = exited;
        _start = start;
    }

    /// <summary>The exec has a pty: output is one raw stream.</summary>
    public bool Tty { get; }

    /// <summary>The sequence that detaches a TTY client from the exec (ctrl-p,ctrl-q unless the exec named others);
    /// the process runs on under its monitor.</summary>
    public IReadOnlyList<byte> DetachKeys { get; }

    /// <summary>Completes when the exit code is recorded.</summary>
    public Task Exited { get; }

    /// <summary>Launches the process; attached unless <paramref name="detach"/>. Throws WharfException with
    /// Docker's words when it cannot start (the exit code, 126/127, is then already recorded).</summary>
    public async Task StartAsync(bool detach, CancellationToken cancellationToken) =>
        _session = await _start(detach, cancellationToken).ConfigureAwait(false);

    /// <summary>Next output chunk of a stream the client asked for, or null once the process ended.</summary>
    public async ValueTask<AttachChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_session is null) return null;
        while (await _session.ReadAsync(cancellationToken).ConfigureAwait(false) is { } c)
        {
            if (c.Stream == 2 ? !_stderr : !_stdout) continue;
            return new AttachChunk(c.Stream, c.Data);
        }
        return null;
    }

    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _stdin && _session is not null ? _session.WriteStdinAsync(data, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>The client's stdin ended: the process's stdin is closed (Docker does for exec).</summary>
    public ValueTask CloseStdinAsync(CancellationToken cancellationToken) =>
        _stdin && _session is not null ? _session.CloseStdinAsync(cancellationToken) : ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _session?.DisposeAsync() ?? ValueTask.CompletedTask;
}
