namespace Wharf.Engine.Containers;

/// <summary>A registered wait (<c>POST /containers/{id}/wait</c>). Registered when created, so the caller can
/// flush its response headers right away and then await <see cref="Result"/>.</summary>
public sealed class ContainerWait : IDisposable
{
    private readonly TaskCompletionSource<(long StatusCode, string? Error)> _tcs =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<ContainerWait>? _unregister;

    internal ContainerWait() { }

    internal void SetUnregister(Action<ContainerWait> unregister) => _unregister = unregister;

    /// <summary>Completes with the exit code (and an error message when waiting failed).</summary>
    public Task<(long StatusCode, string? Error)> Result => _tcs.Task;

    internal void Complete(long statusCode, string? error = null) => _tcs.TrySetResult((statusCode, error));

    /// <summary>Stops waiting (the client went away).</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _unregister, null)?.Invoke(this);
        _tcs.TrySetCanceled();
    }
}
