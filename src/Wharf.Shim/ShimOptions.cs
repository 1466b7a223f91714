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

    /// <summary>Flags after the mode word: --id --bundle --state-dir --log-path --runtime --runc-root
    /// [--tty] [--stdin] [--stdin-once] [--height N] [--width N] [--log-max-size N] [--log-max-files N].</summary>
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
                default: throw new ArgumentException($"unknown flag {args[i]}");
            }
        }
        if (o.Id.Length == 0 || o.Bundle.Length == 0 || o.StateDir.Length == 0 || o.LogPath.Length == 0 || o.RuncRoot.Length == 0)
            throw new ArgumentException("--id, --bundle, --state-dir, --log-path and --runc-root are required");
        return o;
    }
}
