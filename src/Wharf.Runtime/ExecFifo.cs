using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Runtime;

/// <summary>
/// What <c>runc start</c> does, without starting runc. After <c>runc create</c> the container's init waits,
/// blocked opening <c>&lt;runc root&gt;/&lt;id&gt;/exec.fifo</c> for writing. <c>runc start</c> (libcontainer
/// <c>linuxContainer.exec</c>, runc 1.0 to 1.1) opens that fifo for reading and reads the byte that the init
/// writes just before it execs the user's process. Then it removes the fifo, because runc treats a
/// container as "created" for as long as the fifo exists. Doing the same in wharfd saves starting a Go
/// program on every container start (about 4 ms of a ~60 ms <c>docker run</c>).
/// Any other situation returns false. The caller then runs <c>runc start</c>, so runc words its own
/// error: already running, stopped, or unknown.
/// </summary>
public static class ExecFifo
{
    public const string FileName = "exec.fifo";

    /// <param name="fifoPath">&lt;runc root&gt;/&lt;id&gt;/exec.fifo</param>
    /// <param name="initPid">The init runc reported; while it lives, the wait goes on, as runc's does.</param>
    /// <returns>True when the init was released and the fifo removed.</returns>
    public static bool TryRelease(string fifoPath, int initPid)
    {
        if (!Native.TryLstat(fifoPath, out var st) || (st.Mode & Native.S_IFMT) != Native.S_IFIFO) return false;
        // Non-blocking open: the reader side of a fifo opens at once, and this open is what lets the init's
        // blocked open(O_WRONLY) return.
        int fd = Native.open(fifoPath, Native.O_RDONLY | Native.O_NONBLOCK | Native.O_CLOEXEC, 0);
        if (fd < 0) return false;
        try
        {
            Span<Native.PollFd> pfd = stackalloc Native.PollFd[1];
            Span<byte> buf = stackalloc byte[16];
            while (true)
            {
                pfd[0] = new Native.PollFd { Fd = fd, Events = Native.POLLIN };
                int rc = Native.Poll(pfd, 100);
                if (rc > 0 && (pfd[0].REvents & Native.POLLIN) != 0)
                {
                    // The byte is in the pipe; the init no longer needs a reader, so closing ours is safe.
                    if (Native.Read(fd, buf) <= 0) return false;
                    Native.unlink(fifoPath);
                    return true;
                }
                // Hang-up without data: a writer came and went ("cannot start an already running container").
                if (rc > 0) return false;
                // Still nothing. If the init is gone it will never write. Before giving up the fifo, make sure
                // no byte arrived meanwhile (the init may have written just before it exited).
                if (rc == 0 && !ProcStat.IsLive(initPid))
                {
                    pfd[0] = new Native.PollFd { Fd = fd, Events = Native.POLLIN };
                    if (Native.Poll(pfd, 0) > 0 && (pfd[0].REvents & Native.POLLIN) != 0 && Native.Read(fd, buf) > 0)
                    {
                        Native.unlink(fifoPath);
                        return true;
                    }
                    return false;
                }
            }
        }
        finally
        {
            Native.close(fd);
        }
    }
}
