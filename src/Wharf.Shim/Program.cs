using Wharf.Interop;

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
            Fd.WriteLine(2, "usage: wharf-shim monitor --id ID --bundle DIR --state-dir DIR --log-path FILE --runc-root DIR [--runtime runc] [--tty] [--stdin] [--stdin-once] [--height N --width N] [--log-max-size N --log-max-files N] [--exec-process FILE [--detach]]");
            return 2;
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
}
