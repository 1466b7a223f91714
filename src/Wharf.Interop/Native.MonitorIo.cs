using System.Runtime.InteropServices;
using System.Text;

namespace Wharf.Interop;

/// <summary>
/// Safe, span-based wrappers over the monitor's raw declarations (<c>Native.Monitor.cs</c>), so wharf-shim needs
/// no unsafe code. They pin caller-owned memory for the duration of one call only and allocate nothing, because
/// they sit on the monitor's hot paths (every output chunk, every client frame, every poll round).
/// Convention: a negative result is <c>-errno</c>; EINTR is retried here unless noted, so callers only see
/// errors worth acting on (EAGAIN, EPIPE, …).
/// </summary>
public static unsafe partial class Native
{
    // sockaddr_un: sa_family_t (2 bytes) then sun_path[108]; the path must leave room for its NUL.
    private const int SunPathSize = 108;

    /// <summary>read(2) into <paramref name="buffer"/>: bytes read, 0 at EOF, -errno on error.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = read(fd, p, buffer.Length);
                if (n >= 0) return (int)n;
                int err = Marshal.GetLastPInvokeError();
                if (err != EINTR) return -err;
            }
        }
    }

    /// <summary>One write(2) of <paramref name="data"/> (may be partial): bytes written or -errno.</summary>
    public static int Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                nint n = write(fd, p, data.Length);
                if (n >= 0) return (int)n;
                int err = Marshal.GetLastPInvokeError();
                if (err != EINTR) return -err;
            }
        }
    }

    /// <summary>write(2) until everything is written (blocking fds): 0, or -errno of the failing write.</summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = Write(fd, data);
            if (n < 0) return n;
            data = data[n..];
        }
        return 0;
    }

    /// <summary>One send(2) of <paramref name="data"/> (may be partial): bytes sent or -errno.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> data, int flags)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                nint n = send(fd, p, data.Length, flags);
                if (n >= 0) return (int)n;
                int err = Marshal.GetLastPInvokeError();
                if (err != EINTR) return -err;
            }
        }
    }

    /// <summary>poll(2) over <paramref name="fds"/>: ready count, 0 on timeout, -errno on error. EINTR is
    /// returned (-EINTR), not retried: the caller recomputes its timeout.</summary>
    public static int Poll(Span<PollFd> fds, int timeoutMs)
    {
        fixed (PollFd* p = fds)
        {
            int rc = poll(p, (nuint)fds.Length, timeoutMs);
            return rc >= 0 ? rc : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>pipe2(2): 0 with both ends set, or -errno.</summary>
    public static int Pipe(int flags, out int readFd, out int writeFd)
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, flags) != 0)
        {
            readFd = writeFd = -1;
            return -Marshal.GetLastPInvokeError();
        }
        readFd = fds[0];
        writeFd = fds[1];
        return 0;
    }

    /// <summary>waitpid(2): the pid reaped (0 with WNOHANG when none is ready) or -errno. EINTR is retried.</summary>
    public static int WaitPid(int pid, out int status, int options)
    {
        int st = 0;
        while (true)
        {
            int rc = waitpid(pid, &st, options);
            if (rc >= 0)
            {
                status = st;
                return rc;
            }
            int err = Marshal.GetLastPInvokeError();
            if (err != EINTR)
            {
                status = 0;
                return -err;
            }
        }
    }

    /// <summary>CLOCK_REALTIME in nanoseconds since the Unix epoch, without DateTime's conversions.</summary>
    public static long RealtimeNanos()
    {
        Timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.Sec * 1_000_000_000L + ts.Nsec;
    }

    /// <summary>TIOCSWINSZ on a pty: true when the kernel took the new size.</summary>
    public static bool SetWindowSize(int fd, ushort rows, ushort cols)
    {
        WinSize ws = new() { Row = rows, Col = cols };
        return ioctl(fd, TIOCSWINSZ, &ws) == 0;
    }

    /// <summary>accept4(2) without the peer address: the new fd or -errno.</summary>
    public static int Accept(int listenFd, int flags)
    {
        int fd = accept4(listenFd, null, null, flags);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Binds <paramref name="fd"/> to the AF_UNIX path <paramref name="path"/>: 0 or -errno
    /// (-ENAMETOOLONG when it does not fit sun_path; callers pass short or relative names).</summary>
    public static int BindUnix(int fd, string path)
    {
        const int ENAMETOOLONG = 36;
        byte* addr = stackalloc byte[2 + SunPathSize];
        var span = new Span<byte>(addr, 2 + SunPathSize);
        span.Clear();
        if (Encoding.UTF8.GetByteCount(path) > SunPathSize - 1) return -ENAMETOOLONG;
        int len = Encoding.UTF8.GetBytes(path, span[2..]);
        *(ushort*)addr = AF_UNIX;
        return bind(fd, addr, (uint)(2 + len + 1)) == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <summary>recvmsg(2) with MSG_CMSG_CLOEXEC: the first fd passed with SCM_RIGHTS (runc's console socket
    /// protocol), or -1 when the message carried none or the call failed. The data bytes are discarded.</summary>
    public static int ReceiveFd(int connFd)
    {
        byte* data = stackalloc byte[512];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        IoVec iov = new() { Base = data, Len = 512 };
        MsgHdr msg = new() { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n;
        do n = recvmsg(connFd, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (n < 0 || msg.ControlLen < 20) return -1;
        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; unsigned char data[]; } (64-bit)
        int level = *(int*)(control + 8);
        int type = *(int*)(control + 12);
        if (level != SOL_SOCKET || type != SCM_RIGHTS) return -1;
        return *(int*)(control + 16);
    }
}
