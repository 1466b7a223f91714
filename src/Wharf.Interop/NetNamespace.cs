using System.Runtime.InteropServices;
using Wharf.Core;

namespace Wharf.Interop;

public static partial class Native
{
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setns(int fd, int nstype);
}

/// <summary>
/// Runs code inside another network namespace. setns() moves only the calling thread, so the work runs on a thread of
/// its own that enters the namespace, runs, and goes back (and is discarded if it cannot). A socket belongs to the
/// namespace it was created in for its whole life, so sockets made here can then be served from any thread.
/// </summary>
public static class NetNamespace
{
    public static T Invoke<T>(string nsPath, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        Exception? failure = null;
        var t = new Thread(() =>
        {
            int self = Native.open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC, 0);
            if (self < 0) { failure = Errno("open /proc/thread-self/ns/net"); return; }
            int target = Native.open(nsPath, Native.O_RDONLY | Native.O_CLOEXEC, 0);
            if (target < 0) { failure = Errno("open " + nsPath); Native.close(self); return; }
            try
            {
                if (Native.setns(target, Native.CLONE_NEWNET) != 0) { failure = Errno("setns " + nsPath); return; }
                try { result = action(); }
                catch (Exception ex) { failure = ex; }
                // A thread left in the container's namespace ends here anyway; nothing else ever runs on it.
                _ = Native.setns(self, Native.CLONE_NEWNET);
            }
            finally
            {
                Native.close(target);
                Native.close(self);
            }
        }) { IsBackground = true, Name = "wharf-netns" };
        t.Start();
        t.Join();
        if (failure is not null) throw failure;
        return result;
    }

    private static WharfException Errno(string what)
    {
        int err = Marshal.GetLastPInvokeError();
        return WharfException.Internal($"{what}: {Marshal.GetPInvokeErrorMessage(err)}");
    }
}
