using System.Text;
using Wharf.Interop;

namespace Wharf.Shim;

/// <summary>Listening unix sockets and SCM_RIGHTS receipt, on raw fds for the poll loop.</summary>
internal static class UnixSocket
{
    /// <summary>Binds and listens on <paramref name="path"/> (must fit sun_path: callers pass short or
    /// relative paths — the monitor's cwd is the state dir).</summary>
    public static int Listen(string path)
    {
        if (Encoding.UTF8.GetByteCount(path) > 107) throw new IOException($"socket path too long: {path}");
        Native.unlink(path);
        int fd = Native.socket(Native.AF_UNIX, Native.SOCK_STREAM | Native.SOCK_CLOEXEC | Native.SOCK_NONBLOCK, 0);
        if (fd < 0) throw new IOException($"socket: errno {Native.LastErrno}");
        int rc = Native.BindUnix(fd, path);
        if (rc != 0)
        {
            Native.close(fd);
            throw new IOException($"bind {path}: errno {-rc}");
        }
        if (Native.listen(fd, 64) != 0)
        {
            int err = Native.LastErrno;
            Native.close(fd);
            throw new IOException($"listen {path}: errno {err}");
        }
        return fd;
    }

    /// <summary>Accepts one connection (non-blocking, close-on-exec) or returns -1.</summary>
    public static int Accept(int listenFd)
    {
        int fd = Native.Accept(listenFd, Native.SOCK_CLOEXEC | Native.SOCK_NONBLOCK);
        return fd >= 0 ? fd : -1;
    }

    /// <summary>Receives one fd passed with SCM_RIGHTS (runc's console socket protocol), or -1.</summary>
    public static int ReceiveFd(int connFd) => Native.ReceiveFd(connFd);
}
