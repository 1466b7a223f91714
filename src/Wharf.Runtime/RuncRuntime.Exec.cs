using System.Text;
using System.Text.Json;
using Wharf.Core;
using Wharf.Interop;
using Wharf.Runtime.Spec;

namespace Wharf.Runtime;

/// <summary>
/// Exec sessions: each one is served by its own wharf-shim monitor in exec mode, in
/// <c>{stateDir}/exec/{execId}</c>. The monitor runs <c>runc exec --detach</c>, becomes the process's parent
/// (it is a subreaper), holds its output until the first attach, and records the exit in that folder's
/// exit.json, so an exec outlives a wharfd restart like a container does. See docs/decisions.md.
/// </summary>
public sealed partial class RuncRuntime
{
    internal const string ExecDirName = "exec";
    private const string ExecProcessFileName = "process.json";
    private const int ExecOutputLimit = 1 << 20;

    /// <summary>Where the monitor of exec <paramref name="execId"/> keeps its socket and exit record.</summary>
    public static string ExecStateDir(string stateDir, string execId) =>
        Path.Combine(Path.GetFullPath(stateDir), ExecDirName, execId);

    public async Task<int> CreateExecAsync(string id, string stateDir, string execId, ExecProcess process, bool detach,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(process);
        var (status, bundle, rootfs) = await ReadRuncStateAsync(id, stateDir, cancellationToken).ConfigureAwait(false);
        if (status is "paused" or "pausing")
            throw WharfException.Conflict($"Container {id} is paused, unpause the container before exec");
        if (status != "running")
            throw WharfException.Conflict($"Container {id} is not running");
        var configJson = await File.ReadAllTextAsync(Path.Combine(bundle, "config.json"), cancellationToken).ConfigureAwait(false);
        var processJson = ExecProcessSpec.Build(configJson, process, rootfs, SpecHost.Current.BoundingCaps);

        var dir = ExecStateDir(stateDir, execId);
        Directory.CreateDirectory(dir);
        var processPath = Path.Combine(dir, ExecProcessFileName);
        await File.WriteAllTextAsync(processPath, processJson, cancellationToken).ConfigureAwait(false);
        var args = new List<string>
        {
            "--id", id, "--state-dir", dir, "--runtime", _runtime, "--runc-root", _runcRoot,
            "--exec-process", processPath,
        };
        // Docker closes an exec's stdin when the client's ends (there is no StdinOnce choice for exec).
        AddStdioFlags(args, process.Tty, process.OpenStdin, stdinOnce: process.OpenStdin, process.ConsoleHeight, process.ConsoleWidth);
        if (detach) args.Add("--detach");
        try
        {
            return await LaunchMonitorAsync(dir, args, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            RemoveExecDir(dir);
            throw;
        }
        finally
        {
            // `runc exec --detach` has returned: the process runs (see MonitorLauncher.Replenish for the timing).
            MonitorLauncher.Replenish(_shimPath);
        }
    }

    public Task<IAttachSession> AttachExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken) =>
        AttachAsync(id, ExecStateDir(stateDir, execId), cancellationToken);

    public Task ResizeExecAsync(string id, string stateDir, string execId, int height, int width, CancellationToken cancellationToken) =>
        ResizeAsync(id, ExecStateDir(stateDir, execId), height, width, cancellationToken);

    public Task<ExitRecord> WaitExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken) =>
        WaitAsync(id, ExecStateDir(stateDir, execId), cancellationToken);

    public async Task DeleteExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken)
    {
        var dir = ExecStateDir(stateDir, execId);
        if (!Directory.Exists(dir)) return;
        if (!File.Exists(Path.Combine(dir, ShimProtocol.ExitFileName)))
        {
            // Still running: end the process so its monitor records the exit and lets go of the folder.
            if (ReadInitPid(dir) is int pid) Native.kill(pid, Native.SIGKILL);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await WaitAsync(id, dir, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
        RemoveExecDir(dir);
    }

    public async Task<ExecResult> ExecAsync(string id, string stateDir, ExecProcess process, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(process);
        var execId = Ids.NewId();
        try
        {
            await CreateExecAsync(id, stateDir, execId, process with { Tty = false, OpenStdin = false }, detach: false, cancellationToken)
                .ConfigureAwait(false);
            var output = new StringBuilder();
            int kept = 0;
            var session = await AttachExecAsync(id, stateDir, execId, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                var decoder = Encoding.UTF8.GetDecoder();
                var chars = new char[64 * 1024];
                while (await session.ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
                {
                    // Keep reading past the limit so the process never blocks on a full pipe.
                    if (kept >= ExecOutputLimit) continue;
                    var data = chunk.Data.Span[..Math.Min(chunk.Data.Length, ExecOutputLimit - kept)];
                    kept += data.Length;
                    int n = decoder.GetChars(data, chars, flush: false);
                    output.Append(chars, 0, n);
                }
            }
            var exit = await WaitExecAsync(id, stateDir, execId, cancellationToken).ConfigureAwait(false);
            return new ExecResult(exit.ExitCode, output.ToString());
        }
        finally
        {
            // On cancellation (a timeout) this kills the process; the token is spent, so use a fresh one.
            await DeleteExecAsync(id, stateDir, execId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void RemoveExecDir(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A monitor still finishing may hold its socket for a moment; the container's delete removes it.
        }
    }

    /// <summary>The pid runc wrote with --pid-file into a monitor's state dir, if it is there.</summary>
    private static int? ReadInitPid(string stateDir)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(stateDir, ShimProtocol.PidFileName)).Trim(), out int pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>runc's status, bundle and rootfs of the container; "" status when runc does not know it.</summary>
    private async Task<(string Status, string Bundle, string Rootfs)> ReadRuncStateAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var r = await RuncAsync(stateDir, ["state", id], cancellationToken, logToFile: false).ConfigureAwait(false);
        if (r.ExitCode != 0) return ("", "", "");
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        string Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        return (Str("status"), Str("bundle"), Str("rootfs"));
    }
}
