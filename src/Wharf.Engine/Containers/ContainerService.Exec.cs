using Wharf.Api.Exec;
using Wharf.Core;
using Wharf.Runtime;

namespace Wharf.Engine.Containers;

/// <summary>docker exec: instances are made by <see cref="CreateExec"/>, started through <see cref="BeginExecStart"/>,
/// each run by its own monitor (<see cref="IContainerRuntime.CreateExecAsync"/>).</summary>
public sealed partial class ContainerService
{
    /// <summary>Exited instances stay inspectable this long (moby garbage-collects them every 5 minutes).</summary>
    private static readonly TimeSpan ExecRetention = TimeSpan.FromMinutes(5);

    private readonly object _execLock = new();
    private readonly Dictionary<string, ExecInstance> _execs = new(StringComparer.Ordinal);

    /// <summary><c>POST /containers/{id}/exec</c>: registers an exec instance and returns its id.</summary>
    public string CreateExec(string idOrName, ExecCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Cmd is not { Count: > 0 }) throw WharfException.Invalid("No exec command specified");
        DetachKeys.Parse(request.DetachKeys); // refused here, as Docker does, not when the exec starts
        var e = Lookup(idOrName);
        var id = e.Record.Id;
        lock (e.Sync) ThrowUnlessExecutable(e);
        var inst = new ExecInstance
        {
            Id = Ids.NewId(),
            ContainerId = id,
            Entrypoint = request.Cmd[0],
            Arguments = [.. request.Cmd.Skip(1)],
            Env = request.Env is null ? [] : [.. request.Env],
            User = request.User ?? "",
            WorkingDir = request.WorkingDir ?? "",
            Tty = request.Tty,
            Privileged = request.Privileged,
            OpenStdin = request.AttachStdin,
            OpenStdout = request.AttachStdout,
            OpenStderr = request.AttachStderr,
            DetachKeys = request.DetachKeys ?? "",
            ConsoleHeight = request.ConsoleSize is [var h, _] ? (int)Math.Min(h, int.MaxValue) : 0,
            ConsoleWidth = request.ConsoleSize is [_, var w] ? (int)Math.Min(w, int.MaxValue) : 0,
        };
        lock (_execLock)
        {
            var cutoff = _time.GetUtcNow() - ExecRetention;
            foreach (var old in _execs.Values.Where(x => x.ExitedAt is { } t && t < cutoff).ToList()) _execs.Remove(old.Id);
            _execs[inst.Id] = inst;
        }
        RaiseExec(e, "exec_create: " + inst.CommandLine, inst.Id);
        return inst.Id;
    }

    /// <summary>Docker's refusals for exec into a container that is not running as it should.</summary>
    private static void ThrowUnlessExecutable(ContainerEntry e)
    {
        var s = e.Record.State;
        var id = e.Record.Id;
        if (s.Status == ContainerStatus.Paused) throw WharfException.Conflict($"Container {id} is paused, unpause the container before exec");
        if (s.Status == ContainerStatus.Restarting) throw WharfException.Conflict($"Container {id} is restarting, wait until the container is running");
        if (s.Status != ContainerStatus.Running || s.RemovalInProgress) throw WharfException.Conflict($"Container {id} is not running");
    }

    private ExecInstance LookupExec(string execId)
    {
        lock (_execLock)
            return _execs.TryGetValue(execId ?? "", out var x) ? x : throw WharfException.NotFound("No such exec instance: " + execId);
    }

    /// <summary>The ids of the container's exec instances that have not exited (container inspect ExecIDs;
    /// null when there are none, as Docker writes).</summary>
    private List<string>? ExecIdsOf(string containerId)
    {
        lock (_execLock)
        {
            var ids = _execs.Values.Where(x => x.ContainerId == containerId && x.ExitCode is null).Select(x => x.Id).ToList();
            return ids.Count == 0 ? null : ids;
        }
    }

    /// <summary><c>GET /exec/{id}/json</c>.</summary>
    public ExecInspectResponse InspectExec(string execId)
    {
        var x = LookupExec(execId);
        lock (x.Sync)
            return new ExecInspectResponse
            {
                ID = x.Id,
                Running = x.Running,
                ExitCode = x.ExitCode,
                ProcessConfig = new ExecProcessConfig
                {
                    Tty = x.Tty,
                    Entrypoint = x.Entrypoint,
                    Arguments = [.. x.Arguments],
                    Privileged = x.Privileged,
                    User = x.User.Length == 0 ? null : x.User,
                },
                OpenStdin = x.OpenStdin,
                OpenStdout = x.OpenStdout,
                OpenStderr = x.OpenStderr,
                CanRemove = false,
                ContainerID = x.ContainerId,
                DetachKeys = x.DetachKeys,
                Pid = x.Pid,
            };
    }

    /// <summary><c>POST /exec/{id}/start</c>, first half: checks that the instance may start (404/409 with Docker's
    /// words) and claims it. The returned run launches it.</summary>
    public ExecRun BeginExecStart(string execId, ExecStartRequest? request)
    {
        var x = LookupExec(execId);
        var e = Lookup(x.ContainerId);
        lock (e.Sync) ThrowUnlessExecutable(e);
        lock (x.Sync)
        {
            if (x.ExitCode is not null) throw WharfException.Conflict($"Error: Exec command {x.Id} has already run");
            if (x.Started) throw WharfException.Conflict($"Error: Exec command {x.Id} is already running");
            x.Started = true;
        }
        int height = x.ConsoleHeight, width = x.ConsoleWidth;
        if (request?.ConsoleSize is [var h, var w] && h > 0 && w > 0) (height, width) = ((int)Math.Min(h, int.MaxValue), (int)Math.Min(w, int.MaxValue));
        var process = new ExecProcess([x.Entrypoint, .. x.Arguments])
        {
            Env = x.Env,
            WorkingDir = x.WorkingDir.Length == 0 ? null : x.WorkingDir,
            User = x.User.Length == 0 ? null : x.User,
            Tty = x.Tty,
            OpenStdin = x.OpenStdin,
            Privileged = x.Privileged,
            ConsoleHeight = height,
            ConsoleWidth = width,
        };
        return new ExecRun(x.Tty, x.OpenStdin, x.OpenStdout, x.OpenStderr, DetachKeys.Parse(x.DetachKeys), x.Exited.Task,
            (detach, ct) => LaunchExecAsync(e, x, process, detach, ct));
    }

    private async Task<IAttachSession?> LaunchExecAsync(ContainerEntry e, ExecInstance x, ExecProcess process, bool detach, CancellationToken ct)
    {
        var cid = x.ContainerId;
        RaiseExec(e, "exec_start: " + x.CommandLine, x.Id);
        int pid;
        try
        {
            pid = await _runtime.CreateExecAsync(cid, StateDir(cid), x.Id, process, detach, ct).ConfigureAwait(false);
        }
        catch (WharfException ex)
        {
            x.Launched.TrySetResult(false);
            if (ex.Kind is ErrorKind.Conflict) { RecordExecExit(e, x, 126, raise: false); throw; }
            // moby's translateContainerdStartErr: 127 when the command is missing, 126 when it cannot run.
            bool missing = ex.Message.Contains("executable file not found", StringComparison.Ordinal) ||
                           ex.Message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase);
            RecordExecExit(e, x, missing ? 127 : 126, raise: false);
            throw new WharfException(ex.Kind, $"OCI runtime exec failed: {ex.Message}: unknown", ex);
        }
        catch (Exception)
        {
            x.Launched.TrySetResult(false);
            RecordExecExit(e, x, 126, raise: false);
            throw;
        }
        lock (x.Sync)
        {
            x.Pid = pid;
            x.Running = true;
        }
        IAttachSession? session = null;
        try
        {
            if (!detach) session = await _runtime.AttachExecAsync(cid, StateDir(cid), x.Id, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            x.Launched.TrySetResult(true);
            RunInBackground(() => WatchExecAsync(e, x));
        }
        return session;
    }

    private async Task WatchExecAsync(ContainerEntry e, ExecInstance x)
    {
        var cid = x.ContainerId;
        int code;
        try
        {
            code = (await _runtime.WaitExecAsync(cid, StateDir(cid), x.Id, CancellationToken.None).ConfigureAwait(false)).ExitCode;
        }
        catch (Exception ex)
        {
            _log($"exec {Ids.Short(x.Id)}: wait failed: {ex.Message}");
            code = 255;
        }
        RecordExecExit(e, x, code, raise: true);
        try
        {
            await _runtime.DeleteExecAsync(cid, StateDir(cid), x.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log($"exec {Ids.Short(x.Id)}: cleanup failed: {ex.Message}");
        }
    }

    private void RecordExecExit(ContainerEntry e, ExecInstance x, int code, bool raise)
    {
        lock (x.Sync)
        {
            x.ExitCode = code;
            x.Running = false;
            x.ExitedAt = _time.GetUtcNow();
        }
        if (raise) RaiseExec(e, "exec_die", x.Id, code);
        x.Exited.TrySetResult();
    }

    /// <summary><c>POST /exec/{id}/resize</c>. A resize that races the start waits for the process to exist.</summary>
    public async Task ResizeExecAsync(string execId, int height, int width, CancellationToken cancellationToken = default)
    {
        var x = LookupExec(execId);
        bool started;
        lock (x.Sync) started = x.Started;
        if (!started) throw WharfException.Conflict($"Exec {x.Id} is not running");
        try
        {
            if (!await x.Launched.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)) return;
        }
        catch (TimeoutException)
        {
            return;
        }
        if (x.Exited.Task.IsCompleted) return;
        try
        {
            await _runtime.ResizeExecAsync(x.ContainerId, StateDir(x.ContainerId), x.Id, height, width, cancellationToken).ConfigureAwait(false);
        }
        catch (WharfException) when (x.Exited.Task.IsCompleted)
        {
            // It ended meanwhile: nothing left to resize.
        }
    }

    private void RaiseExec(ContainerEntry e, string action, string execId, int? exitCode = null)
    {
        var handler = Event;
        if (handler is null) return;
        ContainerEvent ev;
        lock (e.Sync)
        {
            var r = e.Record;
            ev = new ContainerEvent(action, r.Id, r.Name.TrimStart('/'), r.Config.Image,
                r.Config.Labels is null ? null : new Dictionary<string, string>(r.Config.Labels), exitCode,
                Attributes: new Dictionary<string, string> { ["execID"] = execId });
        }
        try { handler(ev); }
        catch (Exception ex) { _log($"event handler failed: {ex.Message}"); }
    }
}
