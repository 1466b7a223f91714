namespace Wharf.Engine.Containers;

/// <summary>In-memory companion of a <see cref="ContainerRecord"/>: locks, waiters and attach sessions.</summary>
internal sealed class ContainerEntry(ContainerRecord record)
{
    /// <summary>Guards <see cref="Record"/> and the lists below; held only for short, non-blocking sections.</summary>
    public readonly object Sync = new();
    /// <summary>Serialises lifecycle operations (start, stop, remove) that await the runtime.</summary>
    public readonly SemaphoreSlim Gate = new(1, 1);
    /// <summary>Orders config.v2.json writes so an older snapshot never lands after a newer one.</summary>
    public readonly object PersistLock = new();

    public ContainerRecord Record { get; } = record;
    public List<ContainerWait> ExitWaiters { get; } = [];
    public List<ContainerWait> RemovedWaiters { get; } = [];
    public List<ContainerAttach> PendingAttaches { get; } = [];

    /// <summary>The runtime container exists (created or running): new attaches connect at once.</summary>
    public bool AttachDirect { get; set; }
    public bool RootfsMounted { get; set; }
    /// <summary>Cancels the running healthcheck loop (null when none runs).</summary>
    public CancellationTokenSource? HealthStop { get; set; }
    /// <summary>Delay of the last policy restart (zero: none yet; 100 ms first, doubling while runs are short).</summary>
    public TimeSpan RestartDelay { get; set; }
    /// <summary>Policy restarts since the user last started the container: what on-failure:N counts (Docker's
    /// restart manager is reset by a user start, unlike RestartCount).</summary>
    public int PolicyRestarts { get; set; }

    /// <summary>Completes when the current run has exited and was cleaned up (runtime state deleted,
    /// rootfs unmounted, exit persisted). Completed when not running.</summary>
    public TaskCompletionSource RunExited { get; set; } = Completed();

    public static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }
}
