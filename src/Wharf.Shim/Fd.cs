using System.Text;
using Wharf.Interop;

namespace Wharf.Shim;

/// <summary>Raw fd helpers. The shim avoids System.Console: it would initialise terminal and signal
/// handling the monitor does not want, and costs memory.</summary>
internal static unsafe class Fd
{
    public static void WriteLine(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        WriteAll(fd, bytes);
    }

    /// <summary>Blocking write of everything (for small control messages and pipes in blocking mode).</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                nint n = Native.write(fd, p + off, data.Length - off);
                if (n < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Native.EINTR) continue;
                    return false;
                }
                off += (int)n;
            }
        }
        return true;
    }

    /// <summary>read(2): bytes read, 0 at EOF, -errno on error.</summary>
    public static int Read(int fd, Span<byte> buf)
    {
        fixed (byte* p = buf)
        {
            while (true)
            {
                nint n = Native.read(fd, p, buf.Length);
                if (n >= 0) return (int)n;
                int err = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (err != Native.EINTR) return -err;
            }
        }
    }

    public static void SetNonBlocking(int fd)
    {
        int fl = Native.fcntl(fd, Native.F_GETFL, 0);
        if (fl >= 0) Native.fcntl(fd, Native.F_SETFL, fl | Native.O_NONBLOCK);
    }

    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Native.pipe2(fds, Native.O_CLOEXEC) != 0)
            throw new IOException($"pipe2: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        return (fds[0], fds[1]);
    }

    public static long NowUnixNanos()
    {
        Native.Timespec ts;
        Native.clock_gettime(Native.CLOCK_REALTIME, &ts);
        return ts.Sec * 1_000_000_000L + ts.Nsec;
    }
}
