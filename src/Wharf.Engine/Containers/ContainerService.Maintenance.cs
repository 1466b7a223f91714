using System.Diagnostics;
using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Core;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    private static readonly HashSet<string> PruneFilterKeys = new(StringComparer.Ordinal) { "until", "label", "label!" };

    /// <summary>Renames a container (<c>POST /containers/{id}/rename?name=</c>). 400 on an invalid or unchanged
    /// name, 409 when another container holds it.</summary>
    public void Rename(string idOrName, string? newName)
    {
        if (string.IsNullOrEmpty(newName)) throw WharfException.Invalid("Neither old nor new names may be empty");
        var canonical = ContainerNames.Normalize(newName);
        var e = Lookup(idOrName);
        var id = e.Record.Id;
        string old;
        lock (e.Sync)
        {
            if (e.Record.State.RemovalInProgress)
                throw WharfException.Conflict($"Can't rename container which is dead or marked for removal");
            old = e.Record.Name;
        }
        if (old == canonical) throw WharfException.Invalid("Renaming a container with the same name as its current name");
        ReserveName(canonical, id);
        lock (e.Sync) e.Record.Name = canonical;
        try
        {
            Persist(e);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not durable: keep the old name so memory and disk agree.
            lock (e.Sync) e.Record.Name = old;
            ReleaseName(canonical, id);
            throw WharfException.Internal($"Error when renaming container: {ex.Message}");
        }
        ReleaseName(old, id);
        Raise(e, "rename");
    }

    /// <summary>Removes every stopped container (created, exited, dead) the filters select
    /// (<c>POST /containers/prune</c>): <c>until</c> (timestamp or Go duration), <c>label</c>, <c>label!</c>.</summary>
    public async Task<ContainerPruneResponse> PruneAsync(IReadOnlyDictionary<string, List<string>>? filters = null,
        CancellationToken cancellationToken = default)
    {
        filters ??= new Dictionary<string, List<string>>();
        foreach (var key in filters.Keys)
            if (!PruneFilterKeys.Contains(key)) throw WharfException.Invalid($"invalid filter '{key}'");
        var now = _time.GetUtcNow();
        DateTimeOffset? until = null;
        if (filters.TryGetValue("until", out var untilValues))
        {
            if (untilValues.Count > 1) throw WharfException.Invalid("more than one until filter specified");
            if (untilValues.Count == 1) until = ParseTimestamp(untilValues[0], now);
        }
        filters.TryGetValue("label", out var labels);
        filters.TryGetValue("label!", out var notLabels);

        var victims = new List<ContainerEntry>();
        foreach (var e in Snapshot())
        {
            lock (e.Sync)
            {
                var r = e.Record;
                var s = r.State;
                if (s.IsRunning || s.RemovalInProgress) continue;
                if (s.Status is not (ContainerStatus.Created or ContainerStatus.Exited or ContainerStatus.Dead)) continue;
                if (until is { } u && r.Created >= u) continue;
                if (labels is { Count: > 0 } && !ContainerFilters.MatchLabels(labels, r.Config.Labels)) continue;
                if (notLabels is { Count: > 0 } && ContainerFilters.MatchLabels(notLabels, r.Config.Labels)) continue;
                s.RemovalInProgress = true;
                victims.Add(e);
            }
        }
        var deleted = new List<string>();
        foreach (var e in victims)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await RemoveCoreAsync(e, force: false).ConfigureAwait(false);
            deleted.Add(e.Record.Id);
        }
        return new ContainerPruneResponse { ContainersDeleted = deleted.Count == 0 ? null : deleted, SpaceReclaimed = 0 };
    }

    /// <summary>Docker's timetypes.GetTimestamp for filters: a Go duration (before now), unix seconds, or a date.</summary>
    public static DateTimeOffset ParseTimestamp(string value, DateTimeOffset now)
    {
        if (GoDuration.TryParse(value, out var d)) return now - d;
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var secs))
            return DateTimeOffset.UnixEpoch.AddTicks((long)(secs * TimeSpan.TicksPerSecond));
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        throw WharfException.Invalid($"failed to parse value of until filter: {value}");
    }

    /// <summary>The processes of a running container (<c>GET /containers/{id}/top</c>): host <c>ps</c> with
    /// <paramref name="psArgs"/> (default <c>-ef</c>), keeping the rows whose PID is one of the container's.</summary>
    public async Task<ContainerTopResponse> TopAsync(string idOrName, string? psArgs = null, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        var id = e.Record.Id;
        lock (e.Sync)
        {
            var s = e.Record.State;
            if (!s.IsRunning) throw WharfException.Conflict($"Container {id} is not running");
            if (s.Status == ContainerStatus.Restarting) throw WharfException.Conflict($"Container {id} is restarting, wait until the container is running");
        }
        if (string.IsNullOrWhiteSpace(psArgs)) psArgs = "-ef";
        IReadOnlyList<int> pids;
        try { pids = await _runtime.ListPidsAsync(id, StateDir(id), cancellationToken).ConfigureAwait(false); }
        catch (WharfException ex) when (ex.Kind is ErrorKind.NotFound || e.RunExited.Task.IsCompleted)
        {
            throw WharfException.Conflict($"Container {id} is not running");
        }
        var output = await RunPsAsync(psArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries), cancellationToken).ConfigureAwait(false);
        return ParsePsOutput(output, new HashSet<int>(pids));
    }

    private static async Task<string> RunPsAsync(string[] args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("ps")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        Process p;
        try { p = Process.Start(psi) ?? throw WharfException.Internal("cannot run ps"); }
        catch (System.ComponentModel.Win32Exception ex) { throw WharfException.Internal($"Error running ps: {ex.Message}"); }
        using (p)
        {
            p.StandardInput.Close();
            var outTask = p.StandardOutput.ReadToEndAsync(cancellationToken);
            var errTask = p.StandardError.ReadToEndAsync(cancellationToken);
            var stdout = await outTask.ConfigureAwait(false);
            var stderr = await errTask.ConfigureAwait(false);
            await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            // Bad ps options are the client's mistake (moby answers 500 too, with ps's words).
            if (p.ExitCode != 0) throw WharfException.Internal($"Error running ps: exit status {p.ExitCode}: {stderr.Trim()}");
            return stdout;
        }
    }

    /// <summary>moby's parsePSOutput: the header gives the titles and the PID column; the last column
    /// (the command) keeps its spaces.</summary>
    public static ContainerTopResponse ParsePsOutput(string output, IReadOnlySet<int> pids)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var result = new ContainerTopResponse();
        if (lines.Length == 0) return result;
        result.Titles = [.. lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        int pidIndex = result.Titles.IndexOf("PID");
        if (pidIndex < 0) throw WharfException.Internal("Couldn't find PID field in ps output");
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length <= pidIndex) continue;
            if (!int.TryParse(fields[pidIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                throw WharfException.Internal($"Unexpected pid '{fields[pidIndex]}': invalid PID in ps output");
            if (!pids.Contains(pid)) continue;
            var row = new List<string>(result.Titles.Count);
            int n = result.Titles.Count;
            for (int i = 0; i < fields.Length && i < n - 1; i++) row.Add(fields[i]);
            if (fields.Length >= n) row.Add(string.Join(' ', fields[(n - 1)..]));
            result.Processes.Add(row);
        }
        return result;
    }
}
