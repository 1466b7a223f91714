using Wharf.Core;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Registers a wait synchronously (<c>POST /containers/{id}/wait</c>); conditions "not-running"
    /// (default), "next-exit", "removed". Invalid → InvalidArgument.</summary>
    public ContainerWait BeginWait(string idOrName, string? condition = null)
    {
        condition = string.IsNullOrEmpty(condition) ? "not-running" : condition;
        if (condition is not ("not-running" or "next-exit" or "removed"))
            throw WharfException.Invalid($"invalid condition: \"{condition}\"");
        var e = Lookup(idOrName);
        var wait = new ContainerWait();
        lock (e.Sync)
        {
            switch (condition)
            {
                case "not-running" when !e.Record.State.IsRunning:
                    wait.Complete(e.Record.State.ExitCode);
                    return wait;
                case "removed":
                    e.RemovedWaiters.Add(wait);
                    wait.SetUnregister(w => { lock (e.Sync) e.RemovedWaiters.Remove(w); });
                    return wait;
                default:
                    e.ExitWaiters.Add(wait);
                    wait.SetUnregister(w => { lock (e.Sync) e.ExitWaiters.Remove(w); });
                    return wait;
            }
        }
    }

    /// <summary>Attaches to a container's stdio (<c>POST /containers/{id}/attach</c>). Before start the attach
    /// waits and is connected when the container starts; while running it connects now.</summary>
    public ContainerAttach Attach(string idOrName, bool stdin, bool stdout, bool stderr)
    {
        var e = Lookup(idOrName);
        ContainerAttach a;
        bool direct;
        lock (e.Sync)
        {
            if (e.Record.State.Status == ContainerStatus.Paused)
                throw WharfException.Conflict($"container {e.Record.Id} is paused, unpause the container before attach");
            a = new ContainerAttach(e.Record.Config.Tty, stdin && e.Record.Config.OpenStdin, stdout, stderr);
            direct = e.AttachDirect;
            if (!direct)
            {
                e.PendingAttaches.Add(a);
                a.SetUnregister(x => { lock (e.Sync) e.PendingAttaches.Remove(x); });
            }
        }
        if (direct) _ = ConnectAsync(e, a);
        return a;
    }

    private async Task ConnectAsync(ContainerEntry e, ContainerAttach a)
    {
        try
        {
            var session = await _runtime.AttachAsync(e.Record.Id, StateDir(e.Record.Id), CancellationToken.None).ConfigureAwait(false);
            a.Connect(session);
        }
        catch (Exception ex)
        {
            _log($"attach to {e.Record.Id}: {ex.Message}");
            a.End();
        }
    }

    /// <summary>Reads the container's json-file log (<c>GET /containers/{id}/logs</c>). Parameters are checked
    /// before this returns, so errors can still become a normal HTTP error.</summary>
    /// <param name="tail">Last N lines; negative = all.</param>
    public IAsyncEnumerable<LogEntry> Logs(string idOrName, bool stdout, bool stderr, bool follow = false,
        DateTimeOffset? since = null, DateTimeOffset? until = null, int tail = -1, bool timestamps = false,
        CancellationToken cancellationToken = default)
    {
        if (!stdout && !stderr) throw WharfException.Invalid("Bad parameters: you must choose at least one stream");
        var e = Lookup(idOrName);
        Task? followUntil = null;
        lock (e.Sync)
        {
            if (e.Record.HostConfig.LogConfig.Type == "none")
                throw WharfException.NotImplemented("configured logging driver does not support reading");
            if (follow && e.Record.State.IsRunning) followUntil = e.RunExited.Task;
        }
        var options = new LogReadOptions(stdout, stderr, tail, since, until, timestamps);
        return JsonFileLog.ReadAsync(LogPath(e.Record.Id), options, followUntil, cancellationToken);
    }
}
