using Wharf.Core;

namespace Wharf.Runtime;

/// <summary>
/// Runs OCI bundles through a low-level runtime (runc) under a per-container monitor (wharf-shim).
///
/// Lifecycle, as the engine drives it:
///   1. The engine mounts the rootfs and writes <c>config.json</c> into the bundle directory.
///   2. <see cref="CreateAsync"/> launches the monitor, which runs <c>runc create</c>. It returns once
///      the container exists (its init pid is known) or throws with runc's message. The process is
///      created but blocked until start, so nothing it prints can be missed.
///   3. The engine connects attach sessions (<see cref="AttachAsync"/>) for clients that asked before start.
///   4. <see cref="StartAsync"/> runs <c>runc start</c>.
///   5. The monitor owns stdio: it writes the json-file log at <see cref="RuntimeCreateOptions.LogPath"/>,
///      fans output out to attach sessions, and when the init process exits it drains output and then
///      writes the exit record atomically to <c>{StateDir}/exit.json</c>.
///   6. <see cref="DeleteAsync"/> removes the runc state and the monitor's files; the engine unmounts the rootfs.
///
/// The monitor survives wharfd: after a restart, <see cref="GetStateAsync"/> and <see cref="WaitAsync"/>
/// find the container again from <see cref="RuntimeCreateOptions.StateDir"/> alone.
/// Every method takes the container id and the same state directory the container was created with.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>Launches the monitor and creates the container. Throws WharfException (InvalidArgument for
    /// bad specs, e.g. "exec: \"x\": executable file not found in $PATH", Internal otherwise) with runc's words.</summary>
    Task<int> CreateAsync(RuntimeCreateOptions options, CancellationToken cancellationToken);

    /// <summary>Starts a created container (runc start). The exec error of the user process (127/126 class)
    /// surfaces here as a WharfException with runc's message.</summary>
    Task StartAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>Sends a signal to the init process (or to all processes when <paramref name="all"/>).
    /// NotFound/Conflict when the container is not running.</summary>
    Task KillAsync(string id, string stateDir, int signal, bool all, CancellationToken cancellationToken);

    /// <summary>Freezes every process of the container (runc pause, cgroup freezer).
    /// Conflict/NotFound when it is not running.</summary>
    Task PauseAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>Thaws a paused container (runc resume). Conflict/NotFound when it is not paused.</summary>
    Task ResumeAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>Changes the memory/CPU/pids limits of a running container in place (runc update); fields left
    /// null keep their value. NotFound/Conflict when it is not running.</summary>
    Task UpdateAsync(string id, string stateDir, Spec.SpecResources resources, CancellationToken cancellationToken);

    /// <summary>The host pids of the container's processes (runc ps --format json).</summary>
    Task<IReadOnlyList<int>> ListPidsAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>Connects to the monitor's output fan-out and stdin. Works before start and while running;
    /// after exit the session ends at once.</summary>
    Task<IAttachSession> AttachAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>Resizes the container's pty (TTY containers only).</summary>
    Task ResizeAsync(string id, string stateDir, int height, int width, CancellationToken cancellationToken);

    /// <summary>Completes when the container's init process has exited and its output is in the log,
    /// with the recorded exit. Returns at once if it already exited (also across wharfd restarts).</summary>
    Task<ExitRecord> WaitAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>What the runtime knows now: used when wharfd starts to re-adopt containers.</summary>
    Task<RuntimeState> GetStateAsync(string id, string stateDir, CancellationToken cancellationToken);

    /// <summary>Removes the runc container (killing it if needed) and the monitor's files. Idempotent.</summary>
    Task DeleteAsync(string id, string stateDir, CancellationToken cancellationToken);

    // ---- exec: one monitor per exec session in {stateDir}/exec/{execId} ----------------------------------

    /// <summary>Starts <paramref name="process"/> in the running container under its own monitor and returns its
    /// host pid. Output is held until the first <see cref="AttachExecAsync"/> (unless <paramref name="detach"/>,
    /// where it is dropped). Conflict "Container X is not running" / "... is paused, unpause the container before
    /// exec"; InvalidArgument with runc's words when the command cannot be started (127/126 class).</summary>
    Task<int> CreateExecAsync(string id, string stateDir, string execId, ExecProcess process, bool detach, CancellationToken cancellationToken);

    /// <summary>The exec's output and stdin; the session ends after the exit is recorded.</summary>
    Task<IAttachSession> AttachExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken);

    /// <summary>Resizes the exec's pty.</summary>
    Task ResizeExecAsync(string id, string stateDir, string execId, int height, int width, CancellationToken cancellationToken);

    /// <summary>Completes with the exec's recorded exit (at once if it already exited).</summary>
    Task<ExitRecord> WaitExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken);

    /// <summary>Kills the exec process if it still runs and removes its monitor's folder. Idempotent.</summary>
    Task DeleteExecAsync(string id, string stateDir, string execId, CancellationToken cancellationToken);

    /// <summary>Runs a non-interactive process in the running container (no tty, no stdin) and returns its exit
    /// code with stdout+stderr (first 1 MiB). Cancelling (e.g. a timeout) kills the process and cleans up, then
    /// throws OperationCanceledException. Throws like <see cref="CreateExecAsync"/> when it cannot start.</summary>
    Task<ExecResult> ExecAsync(string id, string stateDir, ExecProcess process, CancellationToken cancellationToken);
}

/// <summary>What the engine gives the runtime for one container.</summary>
/// <param name="Id">Container id (64 hex), also the runc container id.</param>
/// <param name="BundleDir">Directory holding config.json (whose root.path points at the mounted rootfs).</param>
/// <param name="StateDir">Directory the monitor owns: socket, exit record, pid files. Created if missing.</param>
/// <param name="LogPath">json-file log path (Docker's format: one {"log","stream","time"} object per line).</param>
/// <param name="Tty">Allocate a pty through runc's console socket; output is then one raw stream.</param>
/// <param name="OpenStdin">Keep a stdin pipe the attach sessions write into.</param>
/// <param name="StdinOnce">Close the container's stdin when the first attached client closes its stdin.</param>
/// <param name="ConsoleHeight">Initial pty rows (0 = leave default).</param>
/// <param name="ConsoleWidth">Initial pty columns (0 = leave default).</param>
/// <param name="LogMaxSize">Rotate the json-file at this many bytes (0 = never).</param>
/// <param name="LogMaxFiles">Rotated files kept, including the live one (>= 1).</param>
public sealed record RuntimeCreateOptions(
    string Id,
    string BundleDir,
    string StateDir,
    string LogPath,
    bool Tty,
    bool OpenStdin,
    bool StdinOnce,
    int ConsoleHeight = 0,
    int ConsoleWidth = 0,
    long LogMaxSize = 0,
    int LogMaxFiles = 1);

/// <summary>How a container's init process ended.</summary>
/// <param name="ExitCode">Exit status, or 128+signal when killed by a signal (137 for SIGKILL), as Docker reports.</param>
/// <param name="ExitedAt">When the monitor saw the exit.</param>
/// <param name="OomKilled">The kernel's OOM killer ended it (when the monitor could tell).</param>
/// <param name="Error">A runtime failure message, empty when the process simply exited.</param>
public sealed record ExitRecord(int ExitCode, DateTimeOffset ExitedAt, bool OomKilled = false, string Error = "")
{
    // Written out: the generated one formats ExitedAt with DateTimeOffset.ToString, which compiles the time-zone
    // code into the NativeAOT monitor (Rfc3339 says why that matters).
    public override string ToString() =>
        "ExitRecord { ExitCode = " + ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", ExitedAt = " + Rfc3339.Format(ExitedAt) +
        ", OomKilled = " + (OomKilled ? "True" : "False") + ", Error = " + Error + " }";
}

public enum RuntimeStatus
{
    /// <summary>No trace of the container in the runtime: never created, or deleted.</summary>
    Unknown,
    Created,
    Running,
    Paused,
    Stopped,
}

/// <summary>The runtime's view of one container.</summary>
/// <param name="Exit">Set when <see cref="Status"/> is Stopped and an exit record exists.</param>
public sealed record RuntimeState(RuntimeStatus Status, int Pid, ExitRecord? Exit);

/// <summary>One client's connection to a container's stdio through the monitor.</summary>
public interface IAttachSession : IAsyncDisposable
{
    /// <summary>Next piece of output, or null once the container exited and all output was delivered.
    /// Stream is 1 (stdout) or 2 (stderr); TTY containers only produce 1.</summary>
    ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Bytes for the container's stdin (ignored by the monitor when stdin is not open).</summary>
    ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>This client's stdin ended (half-close). With StdinOnce the container's stdin is closed.</summary>
    ValueTask CloseStdinAsync(CancellationToken cancellationToken);
}

/// <summary>A piece of container output.</summary>
public readonly record struct OutputChunk(int Stream, ReadOnlyMemory<byte> Data);
