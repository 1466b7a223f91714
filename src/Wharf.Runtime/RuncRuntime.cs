using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Wharf.Core;

namespace Wharf.Runtime;

/// <summary>
/// <see cref="IContainerRuntime"/> over runc, with one wharf-shim monitor per container (docs/monitor.md).
/// Stateless: everything it needs is in the runc root and the container's state directory, so a fresh
/// instance after a wharfd restart finds running containers again.
/// </summary>
public sealed partial class RuncRuntime : IContainerRuntime
{
    private readonly string _runtime;
    private readonly string _runcRoot;
    private readonly string _shimPath;

    /// <param name="runtime">runc binary: a path, or a name looked up on PATH (default "runc").</param>
    /// <param name="runcRoot">runc's --root (state of all containers of this daemon).</param>
    /// <param name="shimPath">wharf-shim binary; null = <see cref="DefaultShimPath"/>.</param>
    public RuncRuntime(string runtime, string runcRoot, string? shimPath = null)
    {
        _runtime = ResolveOnPath(string.IsNullOrEmpty(runtime) ? "runc" : runtime);
        _runcRoot = Path.GetFullPath(runcRoot);
        _shimPath = shimPath ?? DefaultShimPath();
    }

    /// <summary>WHARF_SHIM if set, else "wharf-shim" next to the running program.</summary>
    public static string DefaultShimPath()
    {
        var env = Environment.GetEnvironmentVariable("WHARF_SHIM");
        return !string.IsNullOrEmpty(env) ? env : Path.Combine(AppContext.BaseDirectory, "wharf-shim");
    }

    public async Task<int> CreateAsync(RuntimeCreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stateDir = Path.GetFullPath(options.StateDir);
        Directory.CreateDirectory(stateDir);
        foreach (var stale in new[] { ShimProtocol.ExitFileName, ShimProtocol.RuncLogName, ShimProtocol.PidFileName })
            File.Delete(Path.Combine(stateDir, stale));
        var args = new List<string>
        {
            "--id", options.Id, "--bundle", Path.GetFullPath(options.BundleDir), "--state-dir", stateDir,
            "--log-path", Path.GetFullPath(options.LogPath), "--runtime", _runtime, "--runc-root", _runcRoot,
            "--log-max-size", options.LogMaxSize.ToString(CultureInfo.InvariantCulture),
            "--log-max-files", Math.Max(1, options.LogMaxFiles).ToString(CultureInfo.InvariantCulture),
        };
        AddStdioFlags(args, options.Tty, options.OpenStdin, options.StdinOnce, options.ConsoleHeight, options.ConsoleWidth);
        return await LaunchMonitorAsync(stateDir, args, cancellationToken).ConfigureAwait(false);
    }

    private static void AddStdioFlags(List<string> args, bool tty, bool openStdin, bool stdinOnce, int height, int width)
    {
        if (tty) args.Add("--tty");
        if (openStdin) args.Add("--stdin");
        if (stdinOnce) args.Add("--stdin-once");
        if (height > 0 && width > 0)
            args.AddRange(["--height", height.ToString(CultureInfo.InvariantCulture), "--width", width.ToString(CultureInfo.InvariantCulture)]);
    }

    /// <summary>Starts <c>wharf-shim monitor …</c> and returns the pid it reports, or throws with runc's words.</summary>
    private async Task<int> LaunchMonitorAsync(string stateDir, List<string> args, CancellationToken cancellationToken)
    {
        if (!File.Exists(_shimPath))
            throw WharfException.Internal($"container monitor not found at {_shimPath} (set WHARF_SHIM)");
        cancellationToken.ThrowIfCancellationRequested();
        var output = await MonitorLauncher.SpawnAsync(_shimPath, ["wharf-shim", "monitor", .. args]).ConfigureAwait(false);

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("ok ", StringComparison.Ordinal) || l.StartsWith("error ", StringComparison.Ordinal))?.Trim() ?? "";
        if (line.StartsWith("ok ", StringComparison.Ordinal) &&
            int.TryParse(line.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return pid;

        var message = line.StartsWith("error ", StringComparison.Ordinal) ? line[6..] : output.Trim();
        if (message.Length == 0) message = "container monitor exited without a result";
        throw RuncError(RuncLogError(stateDir) ?? message);
    }

    public async Task StartAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        // The init waits on runc's exec fifo; releasing it here is all `runc start` would do (ExecFifo).
        var fifo = Path.Combine(_runcRoot, id, ExecFifo.FileName);
        try
        {
            if (ReadInitPid(stateDir) is int initPid &&
                await Task.Run(() => ExecFifo.TryRelease(fifo, initPid), cancellationToken).ConfigureAwait(false))
                return;
            var r = await RuncAsync(stateDir, ["start", id], cancellationToken).ConfigureAwait(false);
            if (r.ExitCode != 0) throw RuncError(r.Message);
        }
        finally
        {
            // The container runs now; its start no longer competes with the next spare monitor's.
            MonitorLauncher.Replenish(_shimPath);
        }
    }

    public async Task KillAsync(string id, string stateDir, int signal, bool all, CancellationToken cancellationToken)
    {
        var args = new List<string> { "kill" };
        if (all) args.Add("--all");
        args.Add(id);
        args.Add(signal.ToString(CultureInfo.InvariantCulture));
        var r = await RuncAsync(stateDir, args, cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0) throw RuncError(r.Message);
    }

    public async Task PauseAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var r = await RuncAsync(stateDir, ["pause", id], cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0) throw RuncError(r.Message);
    }

    public async Task ResumeAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var r = await RuncAsync(stateDir, ["resume", id], cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0) throw RuncError(r.Message);
    }

    public async Task UpdateAsync(string id, string stateDir, Spec.SpecResources resources, CancellationToken cancellationToken)
    {
        // runc reads the resources from a file ("-" would need a stdin pipe); the state dir is ours and short-lived.
        var file = Path.Combine(Path.GetFullPath(stateDir), "update-resources.json");
        await File.WriteAllBytesAsync(file, Spec.SpecJson.SerializeResources(resources), cancellationToken).ConfigureAwait(false);
        try
        {
            var r = await RuncAsync(stateDir, ["update", "--resources", file, id], cancellationToken).ConfigureAwait(false);
            if (r.ExitCode != 0) throw RuncError(r.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async Task<IReadOnlyList<int>> ListPidsAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var r = await RuncAsync(stateDir, ["ps", "--format", "json", id], cancellationToken, logToFile: false).ConfigureAwait(false);
        if (r.ExitCode != 0) throw RuncError(r.Message);
        var pids = new List<int>();
        var text = r.Stdout.Trim();
        // runc prints "null" when the container has no processes left.
        if (text.Length == 0 || text == "null") return pids;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
                foreach (var el in doc.RootElement.EnumerateArray())
                    if (el.TryGetInt32(out var pid)) pids.Add(pid);
        }
        catch (JsonException ex)
        {
            throw WharfException.Internal($"runc ps: unexpected output: {ex.Message}");
        }
        return pids;
    }

    public async Task<IAttachSession> AttachAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var conn = await ShimConnection.TryConnectAsync(stateDir, cancellationToken).ConfigureAwait(false);
        if (conn == null) return new ShimAttachSession(null);
        try
        {
            await conn.SendAsync(ShimProtocol.Attach, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            // Wait for the monitor's ack: only then is this session subscribed. The engine starts the container
            // right after attaching, and output of a fast process would otherwise race past the subscription.
            var ack = await conn.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (ack is not { Type: ShimProtocol.Ok })
            {
                // No ack: the monitor is finishing (exit notice or EOF); this session has nothing to deliver.
                await conn.DisposeAsync().ConfigureAwait(false);
                return new ShimAttachSession(null);
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            return new ShimAttachSession(null);
        }
        return new ShimAttachSession(conn);
    }

    public async Task ResizeAsync(string id, string stateDir, int height, int width, CancellationToken cancellationToken)
    {
        var conn = await ShimConnection.TryConnectAsync(stateDir, cancellationToken).ConfigureAwait(false)
            ?? throw WharfException.Conflict($"container {id} is not running");
        await using (conn.ConfigureAwait(false))
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)Math.Clamp(height, 0, ushort.MaxValue));
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)Math.Clamp(width, 0, ushort.MaxValue));
            await conn.SendAsync(ShimProtocol.Resize, payload, cancellationToken).ConfigureAwait(false);
            var reply = await conn.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (reply is not { } f) throw WharfException.Conflict($"container {id} is not running");
            if (f.Type == ShimProtocol.Error)
                throw new WharfException(ErrorKind.FailedPrecondition, Encoding.UTF8.GetString(f.Payload));
        }
    }

    public async Task<ExitRecord> WaitAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var recorded = ReadExit(stateDir);
        if (recorded != null) return recorded;
        var conn = await ShimConnection.TryConnectAsync(stateDir, cancellationToken).ConfigureAwait(false);
        if (conn != null)
        {
            await using (conn.ConfigureAwait(false))
            {
                try
                {
                    await conn.SendAsync(ShimProtocol.Wait, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    while (await conn.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } f)
                        if (f.Type == ShimProtocol.Exit) return ExitRecordJson.Parse(f.Payload);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // The monitor went away mid-wait; fall through to what it left on disk.
                }
            }
        }
        return ReadExit(stateDir) ?? LostExit();
    }

    public async Task<RuntimeState> GetStateAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        var exit = ReadExit(stateDir);
        var r = await RuncAsync(stateDir, ["state", id], cancellationToken, logToFile: false).ConfigureAwait(false);
        RuntimeStatus status = RuntimeStatus.Unknown;
        int pid = 0;
        if (r.ExitCode == 0)
        {
            using var doc = JsonDocument.Parse(r.Stdout);
            var root = doc.RootElement;
            if (root.TryGetProperty("pid", out var p) && p.ValueKind == JsonValueKind.Number) pid = p.GetInt32();
            status = root.TryGetProperty("status", out var s) ? s.GetString() switch
            {
                "created" or "creating" => RuntimeStatus.Created,
                "running" => RuntimeStatus.Running,
                "paused" or "pausing" => RuntimeStatus.Paused,
                "stopped" => RuntimeStatus.Stopped,
                _ => RuntimeStatus.Unknown,
            } : RuntimeStatus.Unknown;
        }
        if (exit != null) return new RuntimeState(RuntimeStatus.Stopped, 0, exit);
        if (status is RuntimeStatus.Created or RuntimeStatus.Running or RuntimeStatus.Paused)
            return new RuntimeState(status, pid, null);

        // runc says stopped or does not know it, and no exit record yet.
        var conn = await ShimConnection.TryConnectAsync(stateDir, cancellationToken).ConfigureAwait(false);
        if (conn != null)
        {
            // The monitor is still draining output; its record is moments away.
            await conn.DisposeAsync().ConfigureAwait(false);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                return new RuntimeState(RuntimeStatus.Stopped, 0, await WaitAsync(id, stateDir, cts.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
        bool everCreated = status == RuntimeStatus.Stopped || File.Exists(Path.Combine(stateDir, ShimProtocol.PidFileName));
        return everCreated ? new RuntimeState(RuntimeStatus.Stopped, 0, LostExit()) : new RuntimeState(RuntimeStatus.Unknown, 0, null);
    }

    public async Task DeleteAsync(string id, string stateDir, CancellationToken cancellationToken)
    {
        // A stopped container's cgroups and runc state are removed in-process; anything else is runc's.
        if (!await StoppedContainerDelete.TryDeleteAsync(_runcRoot, id, cancellationToken).ConfigureAwait(false))
        {
            var r = await RuncAsync(stateDir, ["delete", "--force", id], cancellationToken, logToFile: false).ConfigureAwait(false);
            if (r.ExitCode != 0 && !IsNotExist(r.Message)) throw RuncError(r.Message);
        }

        // The monitor records the exit of the killed init; let it finish before its files go.
        if (await ShimConnection.TryConnectAsync(stateDir, cancellationToken).ConfigureAwait(false) is { } conn)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await WaitAsync(id, stateDir, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
        if (!Directory.Exists(stateDir)) return;
        // Exec sessions end with the container (runc killed them with it); their monitors are gone or going.
        var execRoot = Path.Combine(stateDir, ExecDirName);
        if (Directory.Exists(execRoot)) Directory.Delete(execRoot, recursive: true);
        foreach (var name in new[]
        {
            ShimProtocol.SocketName, ShimProtocol.ExitFileName, ShimProtocol.PidFileName,
            ShimProtocol.RuncLogName, ShimProtocol.ShimLogName, "console.sock",
        })
            File.Delete(Path.Combine(stateDir, name));
        if (!Directory.EnumerateFileSystemEntries(stateDir).Any()) Directory.Delete(stateDir);
    }

    private static ExitRecord LostExit() =>
        new(255, DateTimeOffset.UtcNow, false, "container monitor exited without recording the exit status");

    private static ExitRecord? ReadExit(string stateDir)
    {
        var path = Path.Combine(stateDir, ShimProtocol.ExitFileName);
        try
        {
            return ExitRecordJson.Parse(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            // Empty or torn: the monitor does not fsync it, so a host crash can leave it so. The exit is lost.
            return LostExit();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Maps runc's words to an error kind the way Docker does for the exit code (127/126 class →
    /// InvalidArgument; see moby daemon/start.go translateContainerdStartErr).</summary>
    internal static WharfException RuncError(string message)
    {
        if (message.Contains("executable file not found", StringComparison.Ordinal) ||
            message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("permission denied", StringComparison.OrdinalIgnoreCase))
            return WharfException.Invalid(message);
        if (IsNotExist(message)) return WharfException.NotFound(message);
        if (message.Contains("not running", StringComparison.Ordinal) ||
            message.Contains("cannot start a container that has stopped", StringComparison.Ordinal) ||
            message.Contains("cannot start an already running container", StringComparison.Ordinal) ||
            message.Contains("is not in created state", StringComparison.Ordinal))
            return WharfException.Conflict(message);
        return WharfException.Internal(message);
    }

    private static bool IsNotExist(string message) =>
        message.Contains("does not exist", StringComparison.Ordinal) || message.Contains("not found", StringComparison.Ordinal) && message.Contains("container", StringComparison.Ordinal) && !message.Contains("executable", StringComparison.Ordinal);

    /// <summary>The last error runc wrote to its json log in the state dir, if any.</summary>
    private static string? RuncLogError(string stateDir)
    {
        var path = Path.Combine(stateDir, ShimProtocol.RuncLogName);
        if (!File.Exists(path)) return null;
        string? last = null;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith('{')) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.TryGetProperty("level", out var lvl) && lvl.GetString() is "error" or "fatal" &&
                    root.TryGetProperty("msg", out var msg))
                    last = msg.GetString();
            }
            catch (JsonException)
            {
            }
        }
        return string.IsNullOrWhiteSpace(last) ? null : last;
    }

    private readonly record struct RuncResult(int ExitCode, string Stdout, string Message);

    private async Task<RuncResult> RuncAsync(string stateDir, IEnumerable<string> args, CancellationToken cancellationToken, bool logToFile = true)
    {
        var psi = new ProcessStartInfo(_runtime)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(_runcRoot);
        // With --log set, runc prints its fatal error plainly on stderr (and as JSON in the log);
        // without it, stderr gets logrus text lines, which are harder to pass on.
        var logPath = logToFile && Directory.Exists(stateDir)
            ? Path.Combine(Path.GetFullPath(stateDir), ShimProtocol.RuncLogName)
            : "/dev/null";
        psi.ArgumentList.Add("--log");
        psi.ArgumentList.Add(logPath);
        psi.ArgumentList.Add("--log-format");
        psi.ArgumentList.Add("json");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw WharfException.Internal($"cannot run {_runtime}");
        p.StandardInput.Close();
        var outTask = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var errTask = p.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = await outTask.ConfigureAwait(false);
        var stderr = await errTask.ConfigureAwait(false);
        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var message = stderr.Trim();
        if (p.ExitCode != 0 && message.Length == 0) message = $"{Path.GetFileName(_runtime)} {string.Join(' ', psi.ArgumentList.Skip(6))} failed with exit code {p.ExitCode}";
        return new RuncResult(p.ExitCode, stdout, message);
    }

    private static string ResolveOnPath(string name)
    {
        if (name.Contains('/')) return Path.GetFullPath(name);
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw WharfException.Internal($"{name}: executable file not found in $PATH");
    }
}
