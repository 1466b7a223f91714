using System.Runtime.InteropServices;
using System.Text;
using Wharf.Interop;

namespace Wharf.Shim;

/// <summary>Listening unix sockets and SCM_RIGHTS receipt, on raw fds for the poll loop.</summary>
internal static unsafe class UnixSocket
{
    /// <summary>Binds and listens on <paramref name="path"/> (must fit sun_path: callers pass short or
    /// relative paths — the monitor's cwd is the state dir).</summary>
    public static int Listen(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length > 107) throw new IOException($"socket path too long: {path}");
        Native.unlink(path);
        int fd = Native.socket(Native.AF_UNIX, Native.SOCK_STREAM | Native.SOCK_CLOEXEC | Native.SOCK_NONBLOCK, 0);
        if (fd < 0) throw new IOException($"socket: errno {Marshal.GetLastPInvokeError()}");
        byte* addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = Native.AF_UNIX;
        bytes.CopyTo(new Span<byte>(addr + 2, 108));
        if (Native.bind(fd, addr, (uint)(2 + bytes.Length + 1)) != 0)
        {
            int err = Marshal.GetLastPInvokeError();
            Native.close(fd);
            throw new IOException($"bind {path}: errno {err}");
        }
        if (Native.listen(fd, 64) != 0)
        {
            int err = Marshal.GetLastPInvokeError();
            Native.close(fd);
            throw new IOException($"listen {path}: errno {err}");
        }
        return fd;
    }

    /// <summary>Accepts one connection (non-blocking, close-on-exec) or returns -1.</summary>
    public static int Accept(int listenFd) =>
        Native.accept4(listenFd, null, null, Native.SOCK_CLOEXEC | Native.SOCK_NONBLOCK);

    /// <summary>Receives one fd passed with SCM_RIGHTS (runc's console socket protocol), or -1.</summary>
    public static int ReceiveFd(int connFd)
    {
        byte* data = stackalloc byte[512];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        Native.IoVec iov = new() { Base = data, Len = 512 };
        Native.MsgHdr msg = new() { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n;
        do n = Native.recvmsg(connFd, &msg, Native.MSG_CMSG_CLOEXEC);
        while (n < 0 && Marshal.GetLastPInvokeError() == Native.EINTR);
        if (n < 0 || msg.ControlLen < 20) return -1;
        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; unsigned char data[]; }
        int level = *(int*)(control + 8);
        int type = *(int*)(control + 12);
        if (level != Native.SOL_SOCKET || type != Native.SCM_RIGHTS) return -1;
        return *(int*)(control + 16);
    }
}
