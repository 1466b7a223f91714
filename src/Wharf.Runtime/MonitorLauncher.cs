using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Runtime;

/// <summary>
/// Starts <c>wharf-shim monitor</c> straight from wharfd with posix_spawn. The child gets a new session
/// (so no terminal signal of wharfd's reaches it), /dev/null as stdin, and one pipe as stdout and stderr.
/// The launcher reads that pipe to EOF. The monitor prints its one report line on it and then lets go of it
/// (docs/monitor.md).
/// This needs no intermediate <c>wharf-shim create</c> process, which saved about 2 ms per start.
/// The monitor stays wharfd's child until wharfd exits, so wharfd must reap it. .NET's own SIGCHLD handling
/// only reaps the children of <see cref="System.Diagnostics.Process"/>. If wharfd dies, the kernel
/// re-parents the monitors, and the containers are unaffected.
/// </summary>
internal static class MonitorLauncher
{
    private static readonly ConcurrentDictionary<int, byte> Children = new();
    private static PosixSignalRegistration? _sigchld;
    private static readonly Lock RegistrationLock = new();

    /// <returns>All the monitor wrote before it let go of its stdout/stderr.</returns>
    public static async Task<string> SpawnAsync(string shimPath, IReadOnlyList<string> argv)
    {
        EnsureReaper();
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
        finally
        {
            Native.close(writeFd);
            if (devNull >= 0) Native.close(devNull);
        }
        // The read lasts until the monitor has run `runc create`. A blocking read on a pool thread is fine for that.
        return await Task.Run(() =>
        {
            try
            {
                var output = new MemoryStream();
                var buf = new byte[4096];
                int n;
                while ((n = Native.Read(readFd, buf)) > 0) output.Write(buf, 0, n);
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
