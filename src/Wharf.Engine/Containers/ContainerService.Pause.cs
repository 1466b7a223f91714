using Wharf.Core;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Freezes a running container (<c>POST /containers/{id}/pause</c>) through the cgroup freezer.</summary>
    public async Task PauseAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        var id = e.Record.Id;
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (e.Sync)
            {
                var s = e.Record.State;
                if (s.Status == ContainerStatus.Paused) throw WharfException.Conflict($"Container {id} is already paused");
                if (s.Status != ContainerStatus.Running || s.RemovalInProgress) throw WharfException.Conflict($"Container {id} is not running");
            }
            try { await _runtime.PauseAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
            catch (WharfException ex) when (ex.Kind is ErrorKind.NotFound || e.RunExited.Task.IsCompleted)
            {
                throw WharfException.Conflict($"Container {id} is not running");
            }
            lock (e.Sync) e.Record.State.Status = ContainerStatus.Paused;
        }
        finally
        {
            e.Gate.Release();
        }
        PersistQuietly(e);
        Raise(e, "pause");
    }

    /// <summary>Thaws a paused container (<c>POST /containers/{id}/unpause</c>).</summary>
    public async Task UnpauseAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        var id = e.Record.Id;
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (e.Sync)
            {
                if (e.Record.State.Status != ContainerStatus.Paused) throw WharfException.Conflict($"Container {id} is not paused");
            }
            await _runtime.ResumeAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false);
            lock (e.Sync)
            {
                if (e.Record.State.Status == ContainerStatus.Paused) e.Record.State.Status = ContainerStatus.Running;
            }
        }
        finally
        {
            e.Gate.Release();
        }
        PersistQuietly(e);
        Raise(e, "unpause");
    }

    /// <summary>Whether the container is frozen now: callers take this before they signal it (under e.Sync).</summary>
    private static bool IsPausedLocked(ContainerEntry e) => e.Record.State.Status == ContainerStatus.Paused;

    /// <summary>After a stop/kill signal went to a container that was paused when it was signalled: thaw it so the
    /// signal is delivered (Docker signals first, then resumes). <paramref name="wasPaused"/> is taken before the
    /// signal, as moby's killWithSignal does: the exit monitor may already have recorded the exit (status no longer
    /// paused) by the time we get here, and the freezer must still be thawed. Failures are expected when it is gone.</summary>
    private async Task ThawAfterSignalAsync(ContainerEntry e, bool wasPaused)
    {
        if (!wasPaused) return;
        var id = e.Record.Id;
        try { await _runtime.ResumeAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
        catch (WharfException ex) { _log($"resume {id} after signal: {ex.Message}"); }
        bool changed = false;
        lock (e.Sync)
        {
            if (e.Record.State.Status == ContainerStatus.Paused)
            {
                e.Record.State.Status = ContainerStatus.Running;
                changed = true;
            }
        }
        if (changed) PersistQuietly(e);
    }
}
