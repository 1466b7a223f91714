using Wharf.Api.Containers;
using Wharf.Runtime;

namespace Wharf.Engine.Containers;

/// <summary>Healthchecks: while a container runs, its probe runs inside it every interval (the start interval
/// during the start period); State.Health and health_status events follow <see cref="HealthRules"/>.</summary>
public sealed partial class ContainerService
{

    /// <summary>Starts probing a container that just started (<paramref name="fresh"/>: status back to starting,
    /// as Docker does on every start) or was re-adopted after a wharfd restart (status kept).</summary>
    private void StartHealthMonitor(ContainerEntry e, bool fresh)
    {
        HealthConfig config;
        IReadOnlyList<string> command;
        DateTimeOffset startedAt;
        CancellationTokenSource stop;
        lock (e.Sync)
        {
            e.HealthStop?.Cancel();
            e.HealthStop = null;
            var r = e.Record;
            if (r.Config.Healthcheck is not { } hc || HealthRules.ProbeCommand(hc, r.Config.Shell) is not { } cmd) return;
            config = hc;
            command = cmd;
            startedAt = r.State.StartedAt;
            var h = r.State.Health ??= new HealthRecord();
            if (fresh)
            {
                h.Status = HealthRules.Starting;
                h.FailingStreak = 0;
            }
            stop = e.HealthStop = new CancellationTokenSource();
        }
        RunInBackground(() => HealthLoopAsync(e, config, command, startedAt, stop.Token));
    }

    /// <summary>Ends probing (the container stopped); a probe in flight is abandoned.</summary>
    private static void StopHealthMonitor(ContainerEntry e)
    {
        lock (e.Sync)
        {
            e.HealthStop?.Cancel();
            e.HealthStop = null;
        }
    }

    private async Task HealthLoopAsync(ContainerEntry e, HealthConfig config, IReadOnlyList<string> command,
        DateTimeOffset startedAt, CancellationToken stop)
    {
        var id = e.Record.Id;
        var timeout = HealthRules.Timeout(config);
        try
        {
            while (true)
            {
                string status;
                lock (e.Sync) status = e.Record.State.Health?.Status ?? HealthRules.Starting;
                await Task.Delay(HealthRules.NextDelay(config, status, startedAt, _time.GetUtcNow()), _time, stop).ConfigureAwait(false);
                lock (e.Sync)
                {
                    if (e.Record.State.Status is not (ContainerStatus.Running or ContainerStatus.Paused)) return;
                    // A frozen container cannot answer; Docker does not probe it either.
                    if (e.Record.State.Status == ContainerStatus.Paused) continue;
                }

                var start = _time.GetUtcNow();
                int code;
                string output;
                using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    deadline.CancelAfter(timeout);
                    try
                    {
                        var result = await _runtime.ExecAsync(id, StateDir(id), new ExecProcess(command), deadline.Token).ConfigureAwait(false);
                        (code, output) = (result.ExitCode, Truncate(result.Output));
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        (code, output) = (-1, HealthRules.TimeoutMessage(timeout));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The probe could not even start (e.g. its command is missing): a failed check, as Docker.
                        (code, output) = (-1, ex.Message);
                    }
                }
                var probe = new HealthProbe(start, _time.GetUtcNow(), code, output);

                bool changed;
                string now;
                lock (e.Sync)
                {
                    if (stop.IsCancellationRequested || e.Record.State.Health is not { } h) return;
                    changed = HealthRules.Apply(h, config, startedAt, probe);
                    now = h.Status;
                }
                if (!changed) continue;
                PersistQuietly(e);
                Raise(e, "health_status: " + now);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _log($"healthcheck of {id}: {ex.Message}");
        }
    }

    private static string Truncate(string output)
    {
        // Docker keeps the first 4096 bytes of output.
        if (System.Text.Encoding.UTF8.GetByteCount(output) <= HealthRules.MaxOutputBytes) return output;
        var bytes = System.Text.Encoding.UTF8.GetBytes(output);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, HealthRules.MaxOutputBytes);
    }
}
