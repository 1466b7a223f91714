using Wharf.Interop;
using Wharf.Runtime;

namespace Wharf.Shim;

/// <summary>
/// wharf-shim: the per-container monitor. wharfd posix_spawns <c>wharf-shim monitor …</c> in a new session with
/// one pipe as stdout and stderr (Wharf.Runtime MonitorLauncher). The monitor runs <c>runc create</c>, prints one
/// line on stdout (<c>ok &lt;init pid&gt;</c> or <c>error &lt;runc's message&gt;</c>), then drops the pipe (the
/// launcher reads to EOF) and serves the container until its init exits. It outlives wharfd: a SIGKILLed wharfd
/// leaves it re-parented to init (or the nearest subreaper).
/// With <c>--exec-process</c> the same monitor serves one exec session instead: it runs
/// <c>runc exec --detach --process FILE</c> (the process is re-parented to the monitor, a subreaper, which
/// reaps it and records its exit in its own state dir) and writes no json-file log.
/// </summary>
internal static class Program
{

    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "monitor")
        {
            Fd.WriteLine(2, "usage: wharf-shim monitor --id ID --bundle DIR --state-dir DIR --log-path FILE --runc-root DIR [--runtime runc] [--tty] [--stdin] [--stdin-once] [--height N --width N] [--log-max-size N --log-max-files N] [--exec-process FILE [--detach]]  |  wharf-shim monitor --args-on-stdin (the flags NUL-terminated on stdin)");
            return 2;
        }
        if (args.Length == 2 && args[1] == ShimProtocol.SpareFlag)
        {
            // Started ahead of need (MonitorLauncher): the runtime is up by the time wharfd sends the flags.
            if (ReadSpareArgs() is not { } received) return 0;
            args = ["monitor", .. received];
        }
        ShimOptions options;
        try
        {
            options = ShimOptions.Parse(args, 1);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Fd.WriteLine(1, "error wharf-shim: " + e.Message);
            return 2;
        }

        try
        {
            return new Monitor(options).Run();
        }
        catch (Exception e)
        {
            // Before the ready line this reaches the launcher; afterwards stderr is shim.log.
            Fd.WriteLine(1, "error wharf-shim: " + e.Message.ReplaceLineEndings(" "));
            Fd.WriteLine(2, e.ToString());
            return 1;
        }
    }

    /// <summary>The flags a spare monitor is given; null when stdin closes without any (wharfd discarded the spare or
    /// exited). Stdin becomes /dev/null afterwards, as for a monitor started with its flags.</summary>
    private static string[]? ReadSpareArgs()
    {
        var data = new MemoryStream();
        var buf = new byte[4096];
        int n;
        while ((n = Fd.Read(0, buf)) != 0)
        {
            if (n == -Native.EINTR) continue;
            if (n < 0) return null;
            data.Write(buf, 0, n);
        }
        int devNull = Native.open("/dev/null", Native.O_RDWR | Native.O_CLOEXEC, 0);
        if (devNull >= 0)
        {
            Native.dup2(devNull, 0);
            Native.close(devNull);
        }
        if (data.Length == 0) return null;
        var text = System.Text.Encoding.UTF8.GetString(data.GetBuffer(), 0, (int)data.Length);
        // Every flag ends with a NUL: an unterminated last one means wharfd died mid-write.
        if (!text.EndsWith('\0')) return null;
        return text[..^1].Split('\0');
    }
}
