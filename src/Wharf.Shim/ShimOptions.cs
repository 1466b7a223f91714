using System.Globalization;

namespace Wharf.Shim;

/// <summary>The monitor's command line (built by RuncRuntime; see <see cref="Parse"/> for the flags).</summary>
internal sealed class ShimOptions
{
    public string Id = "";
    public string Bundle = "";
    public string StateDir = "";
    public string LogPath = "";
    public string Runtime = "runc";
    public string RuncRoot = "";
    public bool Tty;
    public bool OpenStdin;
    public bool StdinOnce;
    public int Height;
    public int Width;
    public long LogMaxSize;
    public int LogMaxFiles = 1;
    /// <summary>Exec mode: the OCI process JSON for <c>runc exec --process</c>; empty for a container.</summary>
    public string ExecProcess = "";
    /// <summary>Exec mode: nobody will attach (docker exec -d), so output is read and dropped at once.</summary>
    public bool Detach;

    public bool IsExec => ExecProcess.Length > 0;

    /// <summary>Flags after the mode word: --id --bundle --state-dir --log-path --runtime --runc-root
    /// [--tty] [--stdin] [--stdin-once] [--height N] [--width N] [--log-max-size N] [--log-max-files N]
    /// [--exec-process FILE [--detach]].</summary>
    public static ShimOptions Parse(string[] args, int start)
    {
        var o = new ShimOptions();
        for (int i = start; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"flag {args[i]} needs a value");
            switch (args[i])
            {
                case "--id": o.Id = Next(); break;
                case "--bundle": o.Bundle = Next(); break;
                case "--state-dir": o.StateDir = Next(); break;
                case "--log-path": o.LogPath = Next(); break;
                case "--runtime": o.Runtime = Next(); break;
                case "--runc-root": o.RuncRoot = Next(); break;
                case "--tty": o.Tty = true; break;
                case "--stdin": o.OpenStdin = true; break;
                case "--stdin-once": o.StdinOnce = true; break;
                case "--height": o.Height = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--width": o.Width = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--log-max-size": o.LogMaxSize = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--log-max-files": o.LogMaxFiles = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--exec-process": o.ExecProcess = Next(); break;
                case "--detach": o.Detach = true; break;
                default: throw new ArgumentException($"unknown flag {args[i]}");
            }
        }
        // An exec session has no bundle and no json-file log (Docker does not log exec output).
        if (o.IsExec ? o.Id.Length == 0 || o.StateDir.Length == 0 || o.RuncRoot.Length == 0
                : o.Id.Length == 0 || o.Bundle.Length == 0 || o.StateDir.Length == 0 || o.LogPath.Length == 0 || o.RuncRoot.Length == 0)
            throw new ArgumentException("--id, --bundle, --state-dir, --log-path and --runc-root are required (exec: --id, --state-dir, --runc-root, --exec-process)");
        return o;
    }
}
