using System.Globalization;
using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Runtime;
using Wharf.Runtime.Spec;
using Wharf.Snapshots;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    private static readonly HashSet<string> RestartPolicies = ["", "no", "always", "unless-stopped", "on-failure"];

    /// <summary>Creates a container (<c>POST /containers/create</c>). The image must exist (404 otherwise);
    /// its writable snapshot is prepared now so the start is cheap.</summary>
    public Task<ContainerCreateResponse> CreateAsync(string? name, ContainerConfig config, HostConfig? hostConfig,
        NetworkingConfig? networkingConfig, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.Image)) throw WharfException.Invalid("No image specified");
        var hc = hostConfig ?? new HostConfig();
        ValidateHostConfig(hc);
        HealthRules.Validate(config.Healthcheck);
        string? canonicalName = string.IsNullOrEmpty(name) ? null : ContainerNames.Normalize(name);

        var image = _images.Resolve(config.Image);

        // A copy of the portable config only (the create body also carries HostConfig/NetworkingConfig).
        var merged = JsonSerializer.Deserialize(
            JsonSerializer.SerializeToUtf8Bytes(config, ContainerJsonContext.Default.ContainerConfig),
            ContainerJsonContext.Default.ContainerConfig)!;
        ConfigMerge.Merge(merged, image.Config.Config);
        var (path, args) = ConfigMerge.EntrypointAndArgs(merged);
        if (path.Length == 0) throw WharfException.Invalid("No command specified");

        ExposePublishedPorts(merged, hc);
        var networks = BuildNetworks(hc, networkingConfig);
        var id = Ids.NewId();
        if (string.IsNullOrEmpty(merged.Hostname))
            merged.Hostname = hc.NetworkMode == "host" ? Environment.MachineName : id[..12];

        if (canonicalName is not null)
        {
            ReserveName(canonicalName, id);
        }
        else
        {
            for (int retry = 0; ; retry++)
            {
                canonicalName = "/" + ContainerNames.Random(retry);
                if (TryReserveName(canonicalName, id)) break;
            }
        }

        var record = new ContainerRecord
        {
            Id = id,
            Name = canonicalName,
            Created = _time.GetUtcNow(),
            ImageId = image.Id,
            Path = path,
            Args = args,
            Config = merged,
            HostConfig = hc,
            Networks = networks,
        };
        var dir = ContainerDir(id);
        ContainerEntry created;
        var createdVolumes = new List<string>();
        try
        {
            record.MountPoints = ResolveMounts(merged, hc, createdVolumes);
            Directory.CreateDirectory(dir);
            CrashPoints.Hit("create-dir");
            _images.PrepareContainerRootfs(id, image.Id);
            CrashPoints.Hit("create-rootfs");
            var e = new ContainerEntry(record);
            Persist(e);
            lock (_indexLock) _byId[id] = e;
            created = e;
        }
        catch
        {
            ReleaseName(canonicalName, id);
            RemoveCreatedVolumes(createdVolumes);
            try { _images.RemoveContainerRootfs(id); } catch (WharfException) { }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
            throw;
        }
        Raise(created, "create");
        return Task.FromResult(new ContainerCreateResponse { Id = id, Warnings = [] });
    }

    private static void ValidateHostConfig(HostConfig hc)
    {
        var rp = hc.RestartPolicy ??= new RestartPolicy();
        if (!RestartPolicies.Contains(rp.Name))
            throw WharfException.Invalid($"invalid restart policy: unknown policy '{rp.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        if (rp.MaximumRetryCount < 0)
            throw WharfException.Invalid("invalid restart policy: maximum retry count cannot be negative");
        if (rp.MaximumRetryCount > 0 && rp.Name != "on-failure")
            throw WharfException.Invalid("invalid restart policy: maximum retry count can only be used with 'on-failure'");
        if (hc.AutoRemove && rp.Name is not ("" or "no"))
            throw WharfException.Invalid("can't create 'AutoRemove' container with restart policy");
        if (rp.Name == "") rp.Name = "no";

        hc.LogConfig ??= new LogConfig();
        if (hc.LogConfig.Type is "" or "local") hc.LogConfig.Type = "json-file";
        if (hc.LogConfig.Type is not ("json-file" or "none"))
            throw WharfException.Invalid($"logger: no log driver named '{hc.LogConfig.Type}' is registered");
        ParseLogRotation(hc.LogConfig);
        ValidateOptions(hc);

        if (hc.NetworkMode is "" or "default") hc.NetworkMode = "bridge";
        if (hc.NetworkMode.StartsWith("container:", StringComparison.Ordinal))
            throw WharfException.NotImplemented("network mode container:<id> is not supported yet");
        if (hc.ShmSize < 0) throw WharfException.Invalid("SHM size can not be less than 0");
        if (hc.ShmSize == 0) hc.ShmSize = 64L * 1024 * 1024;
        if (hc.Runtime is "") hc.Runtime = "runc";
        if (hc.ConsoleSize is not { Count: 2 }) hc.ConsoleSize = [0, 0];
        if (hc.OomScoreAdj is < -1000 or > 1000)
            throw WharfException.Invalid($"Invalid value {hc.OomScoreAdj}, range for oom score adj is [-1000, 1000]");
        HostResources.ValidateAndDefault(hc, SpecHost.Current);
    }

    /// <summary>Reads json-file max-size/max-file (go-units RAMInBytes: k/m/g are powers of 1024).</summary>
    internal static (long MaxSize, int MaxFiles) ParseLogRotation(LogConfig lc)
    {
        long maxSize = 0;
        int maxFiles = 1;
        if (lc.Config is { } cfg)
        {
            if (cfg.TryGetValue("max-size", out var s) && s.Length > 0 && s != "-1")
            {
                var t = s.Trim().ToLowerInvariant().TrimEnd('b').TrimEnd('i');
                long mul = 1;
                if (t.Length > 0 && t[^1] is 'k' or 'm' or 'g' or 't')
                {
                    mul = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
                    t = t[..^1];
                }
                if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0)
                    throw WharfException.Invalid($"invalid size: '{s}'");
                maxSize = (long)(v * mul);
            }
            if (cfg.TryGetValue("max-file", out var f) && f.Length > 0)
            {
                if (!int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out maxFiles) || maxFiles < 1)
                    throw WharfException.Invalid("max-file cannot be less than 1");
                if (maxFiles > 1 && maxSize == 0)
                    throw WharfException.Invalid("max-file cannot be set without max-size");
            }
        }
        return (maxSize, maxFiles);
    }

    /// <summary>Starts a container (<c>POST /containers/{id}/start</c>). NotModified when already running.</summary>
    public async Task StartAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Task previousRun;
            lock (e.Sync)
            {
                if (e.Record.State.RemovalInProgress)
                    throw WharfException.Conflict($"container is marked for removal and cannot be started");
                if (e.Record.State.Status == ContainerStatus.Paused)
                    throw WharfException.Conflict("cannot start a paused container, try unpause instead");
                if (e.Record.State.IsRunning) throw WharfException.NotModified();
                previousRun = e.RunExited.Task;
            }
            // The previous run's cleanup (runtime delete, unmount) must be over before runc sees the id again.
            await previousRun.ConfigureAwait(false);
            ResetRestartBackoff(e);
            await StartLockedAsync(e).ConfigureAwait(false);
        }
        finally
        {
            e.Gate.Release();
        }
    }

    private async Task StartLockedAsync(ContainerEntry e)
    {
        var r = e.Record;
        var id = r.Id;
        var stateDir = StateDir(id);
        var rootfs = RootfsDir(id);
        RuntimeCreateOptions options;
        try
        {
            if (!e.RootfsMounted)
            {
                Directory.CreateDirectory(rootfs);
                MountHelper.MountAll(_images.ContainerRootfsMounts(id), rootfs);
                e.RootfsMounted = true;
            }
            CrashPoints.Hit("start-mounted");
            AllocateEndpoints(e);
            WriteEtcFiles(r);
            PrepareMounts(e, rootfs);
            var input = BuildSpecInput(r, rootfs);
            var spec = SpecBuilder.Build(input);
            // Not fsynced: config.json is rebuilt on every start, a torn one after a crash is simply rewritten.
            File.WriteAllBytes(Path.Combine(ContainerDir(id), "config.json"), SpecJson.Serialize(spec));
            var (maxSize, maxFiles) = ParseLogRotation(r.HostConfig.LogConfig);
            int h = r.HostConfig.ConsoleSize is [var ch, var cw] ? (int)ch : 0;
            int w = r.HostConfig.ConsoleSize is [_, var cw2] ? (int)cw2 : 0;
            options = new RuntimeCreateOptions(id, ContainerDir(id), stateDir, LogPath(id), r.Config.Tty,
                r.Config.OpenStdin, r.Config.StdinOnce, h, w, maxSize, maxFiles);
        }
        catch (WharfException ex)
        {
            await FailStartAsync(e, ex, runtimeCreated: false).ConfigureAwait(false);
            throw;
        }

        var run = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int pid;
        try
        {
            pid = await _runtime.CreateAsync(options, CancellationToken.None).ConfigureAwait(false);
            CrashPoints.Hit("start-created");
            await WireEndpointsAsync(e, pid).ConfigureAwait(false);
            List<ContainerAttach> pending;
            lock (e.Sync)
            {
                pending = [.. e.PendingAttaches];
                e.PendingAttaches.Clear();
                e.AttachDirect = true;
            }
            if (pending.Count > 0)
                await Task.WhenAll(pending.Select(a => ConnectAsync(e, a))).ConfigureAwait(false);
            await _runtime.StartAsync(id, stateDir, CancellationToken.None).ConfigureAwait(false);
            CrashPoints.Hit("start-started");
        }
        catch (WharfException ex)
        {
            var translated = await FailStartAsync(e, ex, runtimeCreated: true).ConfigureAwait(false);
            throw translated;
        }

        lock (e.Sync)
        {
            var s = r.State;
            s.Status = ContainerStatus.Running;
            s.Pid = pid;
            s.ExitCode = 0;
            s.Error = "";
            s.OomKilled = false;
            s.ManuallyStopped = false;
            s.StartedAt = _time.GetUtcNow();
            r.HasBeenStarted = true;
            e.RunExited = run;
        }
        StartHealthMonitor(e, fresh: true);
        PersistQuietly(e);
        // Raised before the monitor runs so "start" always precedes this run's "die".
        Raise(e, "start");
        RunInBackground(() => MonitorAsync(e));
    }

    /// <summary>Undoes a failed start and records it like Docker (ExitCode 127/126 for exec failures, state
    /// unchanged). Returns the exception to surface. AutoRemove containers are removed anyway.</summary>
    private async Task<WharfException> FailStartAsync(ContainerEntry e, WharfException ex, bool runtimeCreated)
    {
        var id = e.Record.Id;
        if (runtimeCreated)
        {
            try { await _runtime.DeleteAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
            catch (WharfException dex) { _log($"delete runtime state of {id} after failed start: {dex.Message}"); }
        }
        TryUnmount(e);
        await ReleaseEndpointsAsync(e).ConfigureAwait(false);
        var msg = ex.Message;
        int code = 128;
        var kind = ex.Kind;
        if (msg.Contains("executable file not found", StringComparison.Ordinal) || msg.Contains("no such file or directory", StringComparison.Ordinal))
        {
            code = 127;
            kind = ErrorKind.InvalidArgument;
        }
        else if (msg.Contains("permission denied", StringComparison.Ordinal) || msg.Contains("is a directory", StringComparison.Ordinal))
        {
            code = 126;
            kind = ErrorKind.InvalidArgument;
        }
        List<ContainerAttach> pending;
        bool autoRemove;
        lock (e.Sync)
        {
            e.Record.State.ExitCode = code;
            e.Record.State.Error = msg;
            e.AttachDirect = false;
            pending = [.. e.PendingAttaches];
            e.PendingAttaches.Clear();
            autoRemove = e.Record.HostConfig.AutoRemove && !e.Record.State.RemovalInProgress;
            if (autoRemove) e.Record.State.RemovalInProgress = true;
        }
        foreach (var a in pending) a.End();
        PersistQuietly(e);
        // The caller holds the gate; the removal waits for it.
        if (autoRemove) RunInBackground(() => RemoveCoreAsync(e, force: true, removeVolumes: true));
        return kind == ex.Kind ? ex : new WharfException(kind, msg, ex);
    }

    private async Task MonitorAsync(ContainerEntry e)
    {
        var id = e.Record.Id;
        ExitRecord exit;
        try { exit = await _runtime.WaitAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
        catch (Exception ex) { exit = new ExitRecord(255, _time.GetUtcNow(), false, ex.Message); }
        StopHealthMonitor(e);
        await ReleaseEndpointsAsync(e).ConfigureAwait(false);

        bool removeAfter;
        lock (e.Sync) removeAfter = e.Record.HostConfig.AutoRemove || e.Record.State.RemovalInProgress;

        List<ContainerWait> waiters;
        List<ContainerAttach> pending;
        TaskCompletionSource run;
        bool autoRemove;
        bool restart;
        TimeSpan delay = default;
        lock (e.Sync)
        {
            var ranFor = exit.ExitedAt - e.Record.State.StartedAt;
            SetExited(e.Record.State, exit);
            var policy = e.Record.HostConfig.RestartPolicy;
            var st = e.Record.State;
            restart = !st.ManuallyStopped && !st.RemovalInProgress && !e.Record.HostConfig.AutoRemove &&
                      RestartRules.ShouldRestart(policy, exit.ExitCode, e.PolicyRestarts);
            if (restart)
            {
                delay = e.RestartDelay = RestartRules.NextDelay(e.RestartDelay, ranFor);
                e.PolicyRestarts++;
                e.Record.RestartCount++;
                // Docker shows "Restarting (code)" while it waits out the backoff.
                st.Status = ContainerStatus.Restarting;
            }
            e.AttachDirect = false;
            waiters = [.. e.ExitWaiters];
            e.ExitWaiters.Clear();
            pending = [.. e.PendingAttaches];
            e.PendingAttaches.Clear();
            run = e.RunExited;
            autoRemove = e.Record.HostConfig.AutoRemove && !e.Record.State.RemovalInProgress;
            if (autoRemove) e.Record.State.RemovalInProgress = true;
        }
        // AutoRemove containers are about to vanish: skip the durable write of a state nobody will read.
        // The exit is on disk before the runtime state (holding the monitor's exit record) goes: a crash in
        // between leaves leftovers the next start sweeps, never a lost exit code.
        if (!autoRemove) PersistQuietly(e);
        CrashPoints.Hit("die-recorded");
        // A container about to be removed gets its runtime state and mount cleaned by the removal, after its
        // `removed` waiters are answered: `docker run --rm` does not wait for runc delete.
        if (!removeAfter)
        {
            try { await _runtime.DeleteAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) { _log($"delete runtime state of {id}: {ex.Message}"); }
            TryUnmount(e);
        }
        // Docker reports the kernel's OOM kill as its own event, before the "die" it causes.
        if (exit.OomKilled) Raise(e, "oom");
        Raise(e, "die", exitCode: exit.ExitCode);
        run.TrySetResult();
        foreach (var a in pending) a.End();
        foreach (var w in waiters) w.Complete(exit.ExitCode);
        if (autoRemove) await RemoveCoreAsync(e, force: true, removeVolumes: true).ConfigureAwait(false);
        else if (restart) await PolicyRestartAsync(e, delay).ConfigureAwait(false);
    }

    /// <summary>Starts a container again for its restart policy, unless a user stopped or removed it meanwhile.</summary>
    private async Task PolicyRestartAsync(ContainerEntry e, TimeSpan delay, bool atDaemonStart = false)
    {
        if (delay > TimeSpan.Zero) await Task.Delay(delay, _time).ConfigureAwait(false);
        await e.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Task previous;
            lock (e.Sync)
            {
                var st = e.Record.State;
                if (st.Status is ContainerStatus.Running or ContainerStatus.Paused) return;
                // At daemon start "always" ignores a manual stop (Docker's restart manager does too).
                bool always = e.Record.HostConfig.RestartPolicy.Name == "always" && atDaemonStart;
                if (st.RemovalInProgress || (st.ManuallyStopped && !always))
                {
                    if (st.Status == ContainerStatus.Restarting) st.Status = ContainerStatus.Exited;
                    return;
                }
                previous = e.RunExited.Task;
            }
            await previous.ConfigureAwait(false);
            await StartLockedAsync(e).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log($"restart {e.Record.Id}: {ex.Message}");
            lock (e.Sync)
            {
                if (e.Record.State.Status == ContainerStatus.Restarting) e.Record.State.Status = ContainerStatus.Exited;
            }
            PersistQuietly(e);
        }
        finally
        {
            e.Gate.Release();
        }
    }

    /// <summary>Stops a container (<c>POST /containers/{id}/stop</c>): stop signal, then SIGKILL after the timeout.
    /// NotModified when it is not running.</summary>
    public async Task StopAsync(string idOrName, int? timeoutSeconds = null, string? signal = null, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        int sig = Signals.Parse(!string.IsNullOrEmpty(signal) ? signal : e.Record.Config.StopSignal ?? "SIGTERM");
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopLockedAsync(e, timeoutSeconds, sig).ConfigureAwait(false);
        }
        finally
        {
            e.Gate.Release();
        }
        Raise(e, "stop");
    }

    private async Task StopLockedAsync(ContainerEntry e, int? timeoutSeconds, int sig)
    {
        Task exited;
        bool paused;
        lock (e.Sync)
        {
            // Also cancels a pending policy restart of an exited container.
            e.Record.State.ManuallyStopped = true;
            exited = e.RunExited.Task;
            paused = IsPausedLocked(e);
            if (e.Record.State.Status != ContainerStatus.Restarting && !e.Record.State.IsRunning) throw WharfException.NotModified();
        }
        if (CancelPendingRestart(e)) return;
        // Durable before the signal: if wharfd dies now, "unless-stopped" must still know a user stopped it.
        PersistQuietly(e);
        var id = e.Record.Id;
        int timeout = timeoutSeconds ?? e.Record.Config.StopTimeout ?? 10;
        try { await _runtime.KillAsync(id, StateDir(id), sig, false, CancellationToken.None).ConfigureAwait(false); }
        catch (WharfException) when (exited.IsCompleted) { return; }
        catch (WharfException ex) when (ex.Kind is ErrorKind.NotFound or ErrorKind.Conflict) { }
        CrashPoints.Hit("stop-signalled");
        await ThawAfterSignalAsync(e, paused).ConfigureAwait(false);
        if (timeout < 0)
        {
            await exited.ConfigureAwait(false);
            return;
        }
        if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(timeout), _time)).ConfigureAwait(false) == exited) return;
        try { await _runtime.KillAsync(id, StateDir(id), Signals.SIGKILL, true, CancellationToken.None).ConfigureAwait(false); }
        catch (WharfException ex) when (ex.Kind is ErrorKind.NotFound or ErrorKind.Conflict) { }
        await exited.ConfigureAwait(false);
    }

    /// <summary>A container waiting out its restart backoff has no process: stopping or killing it only cancels
    /// the restart (the caller has set ManuallyStopped). True when that was the case.</summary>
    private bool CancelPendingRestart(ContainerEntry e)
    {
        lock (e.Sync)
        {
            if (e.Record.State.Status != ContainerStatus.Restarting) return false;
            e.Record.State.Status = ContainerStatus.Exited;
        }
        PersistQuietly(e);
        return true;
    }

    /// <summary>Stops (if running) and starts again (<c>POST /containers/{id}/restart</c>).</summary>
    public async Task RestartAsync(string idOrName, int? timeoutSeconds = null, string? signal = null, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        int sig = Signals.Parse(!string.IsNullOrEmpty(signal) ? signal : e.Record.Config.StopSignal ?? "SIGTERM");
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await StopLockedAsync(e, timeoutSeconds, sig).ConfigureAwait(false);
                Raise(e, "stop");
            }
            catch (WharfException ex) when (ex.Kind == ErrorKind.NotModified) { }
            Task previous;
            lock (e.Sync)
            {
                if (e.Record.State.RemovalInProgress) throw WharfException.Conflict("container is marked for removal and cannot be started");
                previous = e.RunExited.Task;
            }
            await previous.ConfigureAwait(false);
            ResetRestartBackoff(e);
            await StartLockedAsync(e).ConfigureAwait(false);
        }
        finally
        {
            e.Gate.Release();
        }
        Raise(e, "restart");
    }

    /// <summary>A user start forgets the policy's backoff and retry count (Docker resets its restart manager).</summary>
    private static void ResetRestartBackoff(ContainerEntry e)
    {
        lock (e.Sync)
        {
            e.RestartDelay = TimeSpan.Zero;
            e.PolicyRestarts = 0;
        }
    }

    /// <summary>Sends a signal (<c>POST /containers/{id}/kill</c>, default SIGKILL). 409 when not running.</summary>
    public async Task KillAsync(string idOrName, string? signal = null, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        int sig = Signals.Parse(string.IsNullOrEmpty(signal) ? "KILL" : signal);
        bool paused;
        lock (e.Sync)
        {
            if (!e.Record.State.IsRunning)
                throw WharfException.Conflict($"cannot kill container: {idOrName}: container {e.Record.Id} is not running");
            paused = IsPausedLocked(e);
            // Only a fatal signal counts as stopping it by hand; a SIGHUP to reload config must not disable restarts.
            if (sig is Signals.SIGKILL or Signals.SIGTERM or 2) e.Record.State.ManuallyStopped = true;
        }
        if (e.Record.State.ManuallyStopped && CancelPendingRestart(e))
        {
            Raise(e, "kill", signal: sig);
            return;
        }
        try { await _runtime.KillAsync(e.Record.Id, StateDir(e.Record.Id), sig, false, cancellationToken).ConfigureAwait(false); }
        catch (WharfException ex) when (ex.Kind is ErrorKind.NotFound && e.RunExited.Task.IsCompleted)
        {
            throw WharfException.Conflict($"cannot kill container: {idOrName}: container {e.Record.Id} is not running");
        }
        // A frozen process only takes a fatal signal once thawed.
        if (sig is Signals.SIGKILL or Signals.SIGTERM or 2) await ThawAfterSignalAsync(e, paused).ConfigureAwait(false);
        Raise(e, "kill", signal: sig);
    }

    /// <summary>Resizes the TTY (<c>POST /containers/{id}/resize</c>). 409 when not running.</summary>
    public async Task ResizeAsync(string idOrName, int height, int width, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        lock (e.Sync)
        {
            if (!e.Record.State.IsRunning) throw WharfException.Conflict($"container {e.Record.Id} is not running");
        }
        if (!e.Record.Config.Tty) return;
        await _runtime.ResizeAsync(e.Record.Id, StateDir(e.Record.Id), height, width, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a container (<c>DELETE /containers/{id}</c>).</summary>
    public async Task RemoveAsync(string idOrName, bool force = false, bool removeVolumes = false, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        lock (e.Sync)
        {
            if (e.Record.State.RemovalInProgress)
                throw WharfException.Conflict($"removal of container {idOrName} is already in progress");
            if (e.Record.State.IsRunning && !force)
                throw WharfException.Conflict($"cannot remove container \"{e.Record.Name}\": container is running: stop the container before removing or force remove");
            e.Record.State.RemovalInProgress = true;
        }
        await RemoveCoreAsync(e, force, removeVolumes).ConfigureAwait(false);
    }

    private bool TryMarkRemoving(ContainerEntry e)
    {
        lock (e.Sync)
        {
            if (e.Record.State.RemovalInProgress) return false;
            e.Record.State.RemovalInProgress = true;
            return true;
        }
    }

    /// <summary>The removal itself; the caller has set RemovalInProgress.</summary>
    private async Task RemoveCoreAsync(ContainerEntry e, bool force, bool removeVolumes = false)
    {
        var id = e.Record.Id;
        await e.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Task exited;
            bool running, paused;
            lock (e.Sync)
            {
                running = e.Record.State.IsRunning;
                paused = IsPausedLocked(e);
                exited = e.RunExited.Task;
            }
            if (running && force)
            {
                try { await _runtime.KillAsync(id, StateDir(id), Signals.SIGKILL, true, CancellationToken.None).ConfigureAwait(false); }
                catch (WharfException ex) when (ex.Kind is ErrorKind.NotFound or ErrorKind.Conflict) { }
                await ThawAfterSignalAsync(e, paused).ConfigureAwait(false);
            }
            await exited.ConfigureAwait(false);

            // From here the container is going away: mark it on disk by renaming its directory, so a crash
            // mid-way is finished at the next start instead of leaving a half-removed container.
            var dir = ContainerDir(id);
            var marked = dir + RemovingSuffix;
            // The rootfs stays mounted through the rename (a mount moves with its parent directory) and is
            // unmounted after the waiters are answered; the next start unmounts <id>.removing/rootfs after a crash.
            ReleaseVolumes(e.Record);
            try { Directory.Move(dir, marked); }
            catch (DirectoryNotFoundException) { marked = dir; }
            CrashPoints.Hit("rm-marked");

            lock (_indexLock)
            {
                _byId.Remove(id);
                if (_byName.TryGetValue(e.Record.Name, out var holder) && holder == id) _byName.Remove(e.Record.Name);
            }

            // The container is gone from every view now (its directory carries the removal marker, which the
            // next start finishes after a crash), so waiters are answered before the slow cleanup below.
            List<ContainerWait> removed, exitWaiters;
            List<ContainerAttach> pending;
            int code;
            lock (e.Sync)
            {
                code = e.Record.State.ExitCode;
                removed = [.. e.RemovedWaiters];
                e.RemovedWaiters.Clear();
                exitWaiters = [.. e.ExitWaiters];
                e.ExitWaiters.Clear();
                pending = [.. e.PendingAttaches];
                e.PendingAttaches.Clear();
            }
            foreach (var a in pending) a.End();
            Raise(e, "destroy");
            // Before the waiters hear "removed", as Docker: `run --rm` returns with the anonymous volumes gone.
            if (removeVolumes) RemoveAnonymousVolumes(e.Record);
            foreach (var w in exitWaiters) w.Complete(code);
            foreach (var w in removed) w.Complete(code, null);

            try
            {
                if (e.Record.HasBeenStarted && Directory.Exists(StateDir(id)))
                    await _runtime.DeleteAsync(id, StateDir(id), CancellationToken.None).ConfigureAwait(false);
                MountHelper.UnmountAll(Path.Combine(marked, "rootfs"));
                e.RootfsMounted = false;
                _images.RemoveContainerRootfs(id);
                CrashPoints.Hit("rm-cleaned");
                if (Directory.Exists(marked)) Directory.Delete(marked, recursive: true);
                if (Directory.Exists(StateDir(id))) Directory.Delete(StateDir(id), recursive: true);
            }
            catch (Exception ex) when (ex is WharfException or IOException or UnauthorizedAccessException)
            {
                _log($"remove {id}: {ex.Message}");
            }
        }
        finally
        {
            e.Gate.Release();
        }
    }
}
