using Wharf.Interop;

namespace Wharf.Shim;

/// <summary>
/// wharf-shim: the per-container monitor. Two stages so that wharfd is never its parent for life:
///   <c>wharf-shim create …</c> is started by wharfd with stdout/stderr as pipes; it spawns
///   <c>wharf-shim monitor …</c> in a new session (posix_spawn + POSIX_SPAWN_SETSID) and exits at once,
///   so the monitor is re-parented to init (or the nearest subreaper) and survives wharfd being killed.
///   The monitor inherits the pipes, runs <c>runc create</c>, prints one line on stdout
///   (<c>ok &lt;init pid&gt;</c> or <c>error &lt;runc's message&gt;</c>), then drops the pipes (the launcher
///   reads to EOF) and serves the container until its init exits.
/// With <c>--exec-process</c> the same monitor serves one exec session instead: it runs
/// <c>runc exec --detach --process FILE</c> (the process is re-parented to the monitor, a subreaper, which
/// reaps it and records its exit in its own state dir) and writes no json-file log.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || (args[0] != "create" && args[0] != "monitor"))
        {
            Fd.WriteLine(2, "usage: wharf-shim create|monitor --id ID --bundle DIR --state-dir DIR --log-path FILE --runc-root DIR [--runtime runc] [--tty] [--stdin] [--stdin-once] [--height N --width N] [--log-max-size N --log-max-files N] [--exec-process FILE [--detach]]");
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

        if (args[0] == "create")
        {
            var argv = new List<string>(args) { [0] = "monitor" };
            argv.Insert(0, "wharf-shim");
            var self = Environment.ProcessPath ?? "/proc/self/exe";
            try
            {
                PosixSpawn.Spawn(self, argv, [(0, 0), (1, 1), (2, 2)], newSession: true);
            }
            catch (Exception e)
            {
                Fd.WriteLine(1, "error wharf-shim: " + e.Message);
                return 1;
            }
            return 0;
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
