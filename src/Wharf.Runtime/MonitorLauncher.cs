using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Runtime;

/// <summary>
/// Starts <c>wharf-shim monitor</c> straight from wharfd with posix_spawn. The child gets a new session
/// (so no terminal signal of wharfd's reaches it), /dev/null as stdin, and one pipe as stdout and stderr.
/// The launcher reads that pipe to EOF, or up to an "ok &lt;pid&gt;" line. The monitor prints its one report line on it
/// and then lets go of it (docs/monitor.md).
/// This needs no intermediate <c>wharf-shim create</c> process, which saved about 2 ms per start. A start normally
/// does not even wait for the monitor's process start: it hands its flags to a spare monitor started ahead
/// (<see cref="Spare"/>).
/// The monitor stays wharfd's child until wharfd exits, so wharfd must reap it. .NET's own SIGCHLD handling
/// only reaps the children of <see cref="System.Diagnostics.Process"/>. If wharfd dies, the kernel
/// re-parents the monitors, and the containers are unaffected.
/// </summary>
internal static class MonitorLauncher
{
    private static readonly ConcurrentDictionary<int, byte> Children = new();
    private static PosixSignalRegistration? _sigchld;
    private static readonly Lock RegistrationLock = new();

    /// <summary>A monitor started ahead of need, blocked reading its flags from a pipe (<c>--args-on-stdin</c>).
    /// Handing it the flags skips the start of a NativeAOT process (runtime set-up, about 2–3 ms) on the path from
    /// `docker start` to `runc create`. One is kept for the next start; a start that finds none (parallel starts,
    /// the first one) spawns a monitor with its flags as before. A spare that wharfd no longer holds (wharfd exited
    /// or replaced it) reads EOF and exits.</summary>
    private sealed record Spare(string ShimPath, int Pid, int ArgsFd, int OutFd);

    private static Spare? _spare;
    private static int _replenishing;

    /// <param name="argv">"wharf-shim", "monitor", then the flags.</param>
    /// <returns>All the monitor wrote before it let go of its stdout/stderr.</returns>
    public static async Task<string> SpawnAsync(string shimPath, IReadOnlyList<string> argv)
    {
        EnsureReaper();
        int readFd = TryHandToSpare(shimPath, argv) ?? SpawnWithArgs(shimPath, argv);
        // The read lasts until the monitor has run `runc create`. A blocking read on a pool thread is fine for that.
        return await Task.Run(() =>
        {
            try
            {
                var output = new MemoryStream();
                var buf = new byte[4096];
                int n;
                while ((n = Native.Read(readFd, buf)) > 0)
                {
                    output.Write(buf, 0, n);
                    // A complete "ok <pid>" line is the monitor's last word on success: the start goes on without
                    // waiting for it to point its copies of the pipe at /dev/null (the EOF), which scans its fds.
                    if (EndsWithOkLine(output.GetBuffer().AsSpan(0, (int)output.Length))) break;
                }
                return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
            }
            finally
            {
                Native.close(readFd);
                // A monitor that failed early may have exited before it was in Children when its SIGCHLD came.
                Reap();
            }
        }).ConfigureAwait(false);
    }

    /// <summary>True when the text ends with a whole line that starts with "ok ".</summary>
    internal static bool EndsWithOkLine(ReadOnlySpan<byte> text)
    {
        if (text.Length == 0 || text[^1] != (byte)'\n') return false;
        var body = text[..^1];
        var line = body[(body.LastIndexOf((byte)'\n') + 1)..];
        return line.StartsWith("ok "u8);
    }

    /// <returns>The read end of the spare's report pipe; null when there is no usable spare.</returns>
    private static int? TryHandToSpare(string shimPath, IReadOnlyList<string> argv)
    {
        var spare = Interlocked.Exchange(ref _spare, null);
        if (spare is null) return null;
        if (spare.ShimPath != shimPath)
        {
            Discard(spare);
            return null;
        }
        var payload = new StringBuilder();
        for (int i = 2; i < argv.Count; i++) payload.Append(argv[i]).Append('\0');
        // A few hundred bytes: far below the pipe's capacity, so this never blocks. EPIPE means the spare died
        // (SIGPIPE is ignored in .NET processes); then a monitor is spawned with its flags instead.
        bool sent = Native.WriteAll(spare.ArgsFd, Encoding.UTF8.GetBytes(payload.ToString())) == 0;
        Native.close(spare.ArgsFd);
        if (sent) return spare.OutFd;
        Native.close(spare.OutFd);
        return null;
    }

    private static int SpawnWithArgs(string shimPath, IReadOnlyList<string> argv)
    {
        if (Native.Pipe(Native.O_CLOEXEC, out int readFd, out int writeFd) is var prc and < 0)
            throw WharfException.Internal($"pipe: {Marshal.GetPInvokeErrorMessage(-prc)}");
        int devNull = -1;
        try
        {
            devNull = Native.open("/dev/null", Native.O_RDWR | Native.O_CLOEXEC, 0);
            if (devNull < 0) throw WharfException.Internal("open /dev/null failed");
            int pid = PosixSpawn.Spawn(shimPath, argv, [(devNull, 0), (writeFd, 1), (writeFd, 2)], newSession: true);
            Children.TryAdd(pid, 0);
        }
        catch
        {
            Native.close(readFd);
            throw;
        }
        finally
        {
            Native.close(writeFd);
            if (devNull >= 0) Native.close(devNull);
        }
        return readFd;
    }

    /// <summary>Starts the next spare in the background unless one is waiting or starting. Called once the process a
    /// monitor serves runs (the exec fifo released, the exec started): a spare starting beside `runc create` or beside
    /// the network set-up after it takes CPU from them on a 2-core host (traced: the spawn of runc took 4.7 ms instead
    /// of 0.9 ms; the veth creation and the fifo release shared the CPU with it).</summary>
    internal static void Replenish(string shimPath)
    {
        if (Volatile.Read(ref _spare) is not null || Interlocked.Exchange(ref _replenishing, 1) == 1) return;
        _ = Task.Run(() =>
        {
            try
            {
                var spare = SpawnSpare(shimPath);
                if (Interlocked.CompareExchange(ref _spare, spare, null) is not null) Discard(spare);
            }
            catch (WharfException)
            {
                // No spare this time: the next start spawns its monitor with its flags.
            }
            finally
            {
                Volatile.Write(ref _replenishing, 0);
            }
        });
    }

    private static Spare SpawnSpare(string shimPath)
    {
        if (Native.Pipe(Native.O_CLOEXEC, out int argsRead, out int argsWrite) is var arc and < 0)
            throw WharfException.Internal($"pipe: {Marshal.GetPInvokeErrorMessage(-arc)}");
        if (Native.Pipe(Native.O_CLOEXEC, out int outRead, out int outWrite) is var orc and < 0)
        {
            Native.close(argsRead);
            Native.close(argsWrite);
            throw WharfException.Internal($"pipe: {Marshal.GetPInvokeErrorMessage(-orc)}");
        }
        try
        {
            // Same set-up as a monitor spawned with its flags (new session, one pipe as stdout and stderr), except
            // that stdin is the flags pipe until the flags are in; then the monitor points it at /dev/null.
            int pid = PosixSpawn.Spawn(shimPath, ["wharf-shim", "monitor", ShimProtocol.SpareFlag], [(argsRead, 0), (outWrite, 1), (outWrite, 2)], newSession: true);
            Children.TryAdd(pid, 0);
            return new Spare(shimPath, pid, argsWrite, outRead);
        }
        catch
        {
            Native.close(argsWrite);
            Native.close(outRead);
            throw;
        }
        finally
        {
            Native.close(argsRead);
            Native.close(outWrite);
        }
    }

    /// <summary>Lets a spare go: EOF on its flags pipe makes it exit (it is reaped like any monitor).</summary>
    private static void Discard(Spare spare)
    {
        Native.close(spare.ArgsFd);
        Native.close(spare.OutFd);
    }

    private static void EnsureReaper()
    {
        if (_sigchld != null) return;
        lock (RegistrationLock)
            _sigchld ??= PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => Reap());
    }

    /// <summary>Collects every monitor that has exited. The cost is one waitpid(WNOHANG) per live monitor per SIGCHLD.</summary>
    internal static void Reap()
    {
        foreach (var pid in Children.Keys)
        {
            int rc = Native.WaitPid(pid, out _, Native.WNOHANG);
            if (rc == pid || rc == -Native.ECHILD) Children.TryRemove(pid, out _);
        }
    }
}
