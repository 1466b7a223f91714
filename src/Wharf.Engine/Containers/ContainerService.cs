using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Engine.Volumes;
using Wharf.Interop;
using Wharf.Runtime;
using Wharf.Snapshots;

namespace Wharf.Engine.Containers;

/// <summary>
/// The containers of one daemon: create/start/stop/kill/remove, wait, attach, logs, list, inspect.
/// Each container lives in <c>&lt;dataRoot&gt;/containers/&lt;id&gt;/</c> (config.v2.json, log, etc files, bundle,
/// rootfs mount point); the monitor's state is in <c>&lt;runRoot&gt;/containers/&lt;id&gt;</c> (short for socket paths).
/// </summary>
public sealed partial class ContainerService : IImageUsage
{
    private const string ConfigFileName = "config.v2.json";
    private const string RemovingSuffix = ".removing";

    private readonly string _containersDir;
    private readonly string _runDir;
    private readonly IImageResolver _images;
    private readonly IContainerRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly VolumeService _volumes;

    private readonly object _indexLock = new();
    private readonly Dictionary<string, ContainerEntry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byName = new(StringComparer.Ordinal);

    /// <param name="dataRoot">The daemon's data root (containers live in its "containers" folder).</param>
    /// <param name="runRoot">Volatile state root (default /run/wharf); monitor state goes in its "containers" folder.</param>
    /// <param name="log">Where unexpected background failures are reported (default: stderr).</param>
    /// <param name="volumes">The volume store (default: one of its own under the same data root).</param>
    public ContainerService(string dataRoot, IImageResolver images, IContainerRuntime runtime, TimeProvider time,
        string? runRoot = null, Action<string>? log = null, VolumeService? volumes = null)
    {
        _containersDir = Path.Combine(dataRoot, "containers");
        _runDir = Path.Combine(runRoot ?? "/run/wharf", "containers");
        _images = images;
        _runtime = runtime;
        _time = time;
        _log = log ?? (m => Console.Error.WriteLine("wharfd containers: " + m));
        _volumes = volumes ?? new VolumeService(dataRoot, time, _log);
        _volumes.Usage ??= this;
    }

    private readonly List<Task> _background = [];

    /// <summary>Runs work that outlives the request that started it (exit monitors, auto-removal, restarts),
    /// remembered so <see cref="WhenBackgroundIdleAsync"/> can wait for it.</summary>
    private void RunInBackground(Func<Task> work)
    {
        var task = Task.Run(work);
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    /// <summary>Completes when the background work started so far has finished (work it starts in turn, such
    /// as a policy restart, is not included). Lets tests delete a data root only once nothing writes to it.</summary>
    public Task WhenBackgroundIdleAsync()
    {
        lock (_background) return Task.WhenAll(_background);
    }

    private string ContainerDir(string id) => Path.Combine(_containersDir, id);
    private string StateDir(string id) => Path.Combine(_runDir, id);
    private string RootfsDir(string id) => Path.Combine(ContainerDir(id), "rootfs");
    private string LogPath(string id) => Path.Combine(ContainerDir(id), id + "-json.log");
    private string HostnamePath(string id) => Path.Combine(ContainerDir(id), "hostname");
    private string HostsPath(string id) => Path.Combine(ContainerDir(id), "hosts");
    private string ResolvConfPath(string id) => Path.Combine(ContainerDir(id), "resolv.conf");

    /// <summary>Raised after each lifecycle step; handlers must be quick and must not throw.</summary>
    public event Action<ContainerEvent>? Event;

    private void Raise(ContainerEntry e, string action, int? exitCode = null, int? signal = null)
    {
        var handler = Event;
        if (handler is null) return;
        ContainerEvent ev;
        lock (e.Sync)
        {
            var r = e.Record;
            ev = new ContainerEvent(action, r.Id, r.Name.TrimStart('/'), r.Config.Image,
                r.Config.Labels is null ? null : new Dictionary<string, string>(r.Config.Labels), exitCode, signal);
        }
        try { handler(ev); }
        catch (Exception ex) { _log($"event handler failed: {ex.Message}"); }
    }

    // ---- index -------------------------------------------------------------------------------------

    /// <summary>Finds a container by full id, name (with or without "/"), or unique id prefix.</summary>
    private ContainerEntry Lookup(string idOrName)
    {
        if (string.IsNullOrEmpty(idOrName)) throw WharfException.NotFound("No such container: " + idOrName);
        lock (_indexLock)
        {
            if (_byId.TryGetValue(idOrName, out var e)) return e;
            var name = idOrName.StartsWith('/') ? idOrName : "/" + idOrName;
            if (_byName.TryGetValue(name, out var id) && _byId.TryGetValue(id, out e)) return e;
            ContainerEntry? found = null;
            foreach (var (key, entry) in _byId)
            {
                if (!key.StartsWith(idOrName, StringComparison.Ordinal)) continue;
                if (found is not null) throw WharfException.Invalid("multiple IDs found with provided prefix: " + idOrName);
                found = entry;
            }
            return found ?? throw WharfException.NotFound("No such container: " + idOrName);
        }
    }

    private ContainerEntry[] Snapshot()
    {
        lock (_indexLock) return [.. _byId.Values];
    }

    /// <summary>Reserves a name; throws Docker's 409 when another container holds it.</summary>
    private void ReserveName(string name, string id)
    {
        lock (_indexLock)
        {
            if (_byName.TryGetValue(name, out var other) && other != id)
                throw WharfException.Conflict($"Conflict. The container name \"{name}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.");
            _byName[name] = id;
        }
    }

    private bool TryReserveName(string name, string id)
    {
        lock (_indexLock)
        {
            if (_byName.ContainsKey(name)) return false;
            _byName[name] = id;
            return true;
        }
    }

    private void ReleaseName(string name, string id)
    {
        lock (_indexLock)
        {
            if (_byName.TryGetValue(name, out var holder) && holder == id) _byName.Remove(name);
        }
    }

    // ---- persistence ---------------------------------------------------------------------------------

    private void Persist(ContainerEntry e)
    {
        lock (e.PersistLock)
        {
            // Never recreate the directory of a container being removed.
            var dir = ContainerDir(e.Record.Id);
            if (!Directory.Exists(dir)) return;
            byte[] json;
            lock (e.Sync) json = JsonSerializer.SerializeToUtf8Bytes(e.Record, ContainerStoreJsonContext.Default.ContainerRecord);
            AtomicFile.WriteAllBytes(Path.Combine(dir, ConfigFileName), json);
        }
    }

    private void PersistQuietly(ContainerEntry e)
    {
        try { Persist(e); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { _log($"persist {e.Record.Id}: {ex.Message}"); }
    }

    /// <summary>Loads every container and reconciles the ones recorded as running with what the runtime
    /// knows (a container that died while wharfd was down shows its real exit). Finishes interrupted removals.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_containersDir);
        _volumes.Initialize();
        foreach (var dir in Directory.EnumerateDirectories(_containersDir))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(dir);
            if (name.EndsWith(RemovingSuffix, StringComparison.Ordinal))
            {
                await FinishRemovalAsync(name[..^RemovingSuffix.Length], dir).ConfigureAwait(false);
                continue;
            }
            ContainerRecord? record = null;
            try
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(dir, ConfigFileName), cancellationToken).ConfigureAwait(false);
                record = JsonSerializer.Deserialize(bytes, ContainerStoreJsonContext.Default.ContainerRecord);
            }
            catch (FileNotFoundException) { }
            catch (JsonException ex) { _log($"{dir}: unreadable {ConfigFileName}: {ex.Message}"); continue; }
            if (record is null || record.Id != name)
            {
                // A create that died before its first write: nothing refers to it.
                await FinishRemovalAsync(name, dir).ConfigureAwait(false);
                continue;
            }
            var e = new ContainerEntry(record);
            lock (_indexLock)
            {
                _byId[record.Id] = e;
                _byName[record.Name] = record.Id;
            }
            if (record.State.RemovalInProgress)
            {
                _ = RemoveCoreAsync(e, force: true, removeVolumes: record.HostConfig.AutoRemove);
                continue;
            }
            // A backoff interrupted by the daemon's end: nothing ran, the policy below decides afresh.
            if (record.State.Status == ContainerStatus.Restarting) record.State.Status = ContainerStatus.Exited;
            if (record.State.IsRunning) await ReadoptAsync(e, cancellationToken).ConfigureAwait(false);
            else await SweepLeftoversAsync(e).ConfigureAwait(false);
        }

        // Published ports of the containers that kept running: their DNAT rules back, once, in one transaction.
        if (Networks is not null) await Networks.ReconcileFirewallAsync().ConfigureAwait(false);

        // Restart policies at daemon start, as Docker's restore: "always" comes back even after a manual stop,
        // "unless-stopped" only if nobody stopped it, "on-failure" if it last exited non-zero.
        foreach (var e in Snapshot())
        {
            bool start;
            lock (e.Sync)
            {
                var r = e.Record;
                start = r.HasBeenStarted && !r.State.IsRunning && !r.State.RemovalInProgress &&
                        (r.HostConfig.RestartPolicy.Name == "always" ||
                         (r.HostConfig.RestartPolicy.Name == "unless-stopped" && !r.State.ManuallyStopped) ||
                         (r.HostConfig.RestartPolicy.Name == "on-failure" && r.State.ExitCode != 0 && !r.State.ManuallyStopped));
            }
            if (start) RunInBackground(() => PolicyRestartAsync(e, TimeSpan.Zero, atDaemonStart: true));
        }
    }

    private async Task ReadoptAsync(ContainerEntry e, CancellationToken cancellationToken)
    {
        var id = e.Record.Id;
        RuntimeState rs;
        try { rs = await _runtime.GetStateAsync(id, StateDir(id), cancellationToken).ConfigureAwait(false); }
        catch (WharfException ex) { rs = new RuntimeState(RuntimeStatus.Unknown, 0, new ExitRecord(255, _time.GetUtcNow(), false, ex.Message)); }

        if (rs.Status is RuntimeStatus.Running or RuntimeStatus.Paused)
        {
            try
            {
                var rootfs = RootfsDir(id);
                if (!MountHelper.IsMountPoint(rootfs))
                {
                    Directory.CreateDirectory(rootfs);
                    MountHelper.MountAll(_images.ContainerRootfsMounts(id), rootfs);
                }
                e.RootfsMounted = true;
            }
            catch (Exception ex) when (ex is WharfException or IOException) { _log($"remount rootfs of {id}: {ex.Message}"); }
            ReacquireVolumes(e.Record);
            lock (e.Sync)
            {
                e.Record.State.Pid = rs.Pid;
                ReadoptEndpoints(e);
                // The freezer state outlives wharfd: trust what runc reports.
                e.Record.State.Status = rs.Status == RuntimeStatus.Paused ? ContainerStatus.Paused : ContainerStatus.Running;
                e.AttachDirect = true;
                e.RunExited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            // Before the exit monitor, whose first act on an exit is to stop the probes.
            StartHealthMonitor(e, fresh: false);
            RunInBackground(() => MonitorAsync(e));
            return;
        }

        // Gone while we were away: record how it ended.
        var exit = rs.Exit ?? new ExitRecord(255, _time.GetUtcNow(), false,
            rs.Status == RuntimeStatus.Created ? "container was never started: the daemon stopped during its start" : "container state lost: the runtime has no record of it");
        try { await _runtime.DeleteAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
        catch (WharfException ex) { _log($"delete runtime state of {id}: {ex.Message}"); }
        TryUnmount(e);
        await ReleaseEndpointsAsync(e).ConfigureAwait(false);
        lock (e.Sync) SetExited(e.Record.State, exit);
        PersistQuietly(e);
        if (e.Record.HostConfig.AutoRemove && TryMarkRemoving(e)) _ = RemoveCoreAsync(e, force: true, removeVolumes: true);
    }

    /// <summary>A container recorded as not running may still have a runtime container or a mounted rootfs when
    /// wharfd died between mounting, creating or starting it and recording that (or between recording its exit and
    /// cleaning up): remove them so nothing runs or stays mounted unseen. Its recorded state stands.</summary>
    private async Task SweepLeftoversAsync(ContainerEntry e)
    {
        var id = e.Record.Id;
        if (Directory.Exists(StateDir(id)))
        {
            _log($"{id}: removing runtime state left by an interrupted start or exit");
            try { await _runtime.DeleteAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
            catch (WharfException ex) { _log($"delete runtime state of {id}: {ex.Message}"); }
        }
        if (MountHelper.IsMountPoint(RootfsDir(id))) TryUnmount(e);
    }

    private async Task FinishRemovalAsync(string id, string dir)
    {
        try { await _runtime.DeleteAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
        catch (WharfException ex) { _log($"delete runtime state of {id}: {ex.Message}"); }
        try
        {
            MountHelper.UnmountAll(Path.Combine(dir, "rootfs"));
            _images.RemoveContainerRootfs(id);
            Directory.Delete(dir, recursive: true);
            if (Directory.Exists(StateDir(id))) Directory.Delete(StateDir(id), recursive: true);
        }
        catch (Exception ex) when (ex is WharfException or IOException or UnauthorizedAccessException)
        {
            _log($"finish removal of {id}: {ex.Message}");
        }
    }

    private void TryUnmount(ContainerEntry e)
    {
        ReleaseVolumes(e.Record);
        try
        {
            MountHelper.UnmountAll(RootfsDir(e.Record.Id));
            e.RootfsMounted = false;
        }
        catch (WharfException ex) { _log($"unmount rootfs of {e.Record.Id}: {ex.Message}"); }
    }

    private static void SetExited(ContainerStateRecord s, ExitRecord exit)
    {
        s.Status = ContainerStatus.Exited;
        s.Pid = 0;
        s.ExitCode = exit.ExitCode;
        s.OomKilled = exit.OomKilled;
        s.Error = exit.Error ?? "";
        s.FinishedAt = exit.ExitedAt;
    }

    /// <summary>Counts for <c>/info</c>: all, running, paused, stopped.</summary>
    public (int Containers, int Running, int Paused, int Stopped) Counts()
    {
        int all = 0, running = 0, paused = 0;
        foreach (var e in Snapshot())
        {
            all++;
            lock (e.Sync)
            {
                if (e.Record.State.Status == ContainerStatus.Paused) paused++;
                else if (e.Record.State.IsRunning) running++;
            }
        }
        return (all, running, paused, all - running - paused);
    }
}
