using System.Text;
using Wharf.Interop;

namespace Wharf.Shim;

/// <summary>Raw fd helpers. The shim avoids System.Console: it would initialise terminal and signal
/// handling the monitor does not want, and costs memory.</summary>
internal static class Fd
{
    public static void WriteLine(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        WriteAll(fd, bytes);
    }

    /// <summary>Blocking write of everything (for small control messages and pipes in blocking mode).</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data) => Native.WriteAll(fd, data) == 0;

    /// <summary>read(2): bytes read, 0 at EOF, -errno on error.</summary>
    public static int Read(int fd, Span<byte> buf) => Native.Read(fd, buf);

    public static void SetNonBlocking(int fd)
    {
        int fl = Native.fcntl(fd, Native.F_GETFL, 0);
        if (fl >= 0) Native.fcntl(fd, Native.F_SETFL, fl | Native.O_NONBLOCK);
    }

    public static (int Read, int Write) Pipe()
    {
        int rc = Native.Pipe(Native.O_CLOEXEC, out int r, out int w);
        if (rc != 0) throw new IOException($"pipe2: errno {-rc}");
        return (r, w);
    }

    public static long NowUnixNanos() => Native.RealtimeNanos();
}
