using Wharf.Engine.Networks;

namespace Wharf.Daemon;

/// <summary>wharfd's settings, from its command line (flag names as dockerd's). Validated before the socket opens.</summary>
internal sealed class DaemonOptions
{
    /// <summary>Where images, containers and logs live.</summary>
    public string DataRoot { get; private set; } = "/var/lib/wharf";

    /// <summary>The API socket path (from --host unix:///path).</summary>
    public string SocketPath { get; private set; } = "/run/wharf/wharf.sock";

    /// <summary>The pid file; a second daemon on the same pid file refuses to start.</summary>
    public string PidFile { get; private set; } = "/run/wharf/wharfd.pid";

    /// <summary>Volatile state (monitor sockets, runc state): lost on reboot, as it should be.</summary>
    public string ExecRoot { get; private set; } = "/run/wharf";

    /// <summary>OCI runtime binary name or path.</summary>
    public string Runtime { get; private set; } = "runc";

    public Log.Level LogLevel { get; private set; } = Log.Level.Info;

    /// <summary>The default bridge (--bridge, --bip): its own name and subnet, never docker0/172.17 by default.</summary>
    public DefaultBridgeOptions DefaultBridge { get; private set; } = DefaultBridgeOptions.Default;

    /// <summary>BIG TCP on container veths where the kernel allows it (docs/networking.md); --big-tcp=false keeps the
    /// kernel's 64 KiB GSO packets.</summary>
    public bool BigTcp { get; private set; } = true;

    /// <summary>Registry settings from --config-file (insecure-registries, registry-mirrors).</summary>
    public Wharf.Distribution.RegistryOptions Registry { get; private set; } = Wharf.Distribution.RegistryOptions.Default;

    /// <summary>The daemon.json given with --config-file, if any.</summary>
    public string? ConfigFile { get; private set; }

    public static DaemonOptions Parse(string[] args)
    {
        var o = new DaemonOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? inline = null;
            int eq = a.IndexOf('=');
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0) { inline = a[(eq + 1)..]; a = a[..eq]; }
            string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"flag needs an argument: {a}"));
            switch (a)
            {
                case "--data-root": o.DataRoot = Path.GetFullPath(Value()); break;
                case "-H":
                case "--host": o.SocketPath = ParseHost(Value()); break;
                case "-p":
                case "--pidfile": o.PidFile = Path.GetFullPath(Value()); break;
                case "--runtime": o.Runtime = Value(); break;
                case "--exec-root": o.ExecRoot = Path.GetFullPath(Value()); break;
                case "-l":
                case "--log-level": o.LogLevel = Log.ParseLevel(Value()); break;
                case "-D":
                case "--debug": o.LogLevel = Log.Level.Debug; break;
                case "-b":
                case "--bridge":
                    var bridge = Value();
                    if (bridge.Length is 0 or > 15) throw new ArgumentException($"invalid --bridge {bridge}: 1 to 15 characters");
                    o.DefaultBridge = o.DefaultBridge with { Bridge = bridge };
                    break;
                case "--bip":
                    o.DefaultBridge = o.DefaultBridge.WithBip(Value());
                    break;
                case "--mtu":
                    if (!int.TryParse(Value(), out var mtu) || mtu < 68) throw new ArgumentException("invalid --mtu");
                    o.DefaultBridge = o.DefaultBridge with { Mtu = mtu };
                    break;
                case "--big-tcp":
                    o.BigTcp = inline switch
                    {
                        null or "true" => true,
                        "false" => false,
                        _ => throw new ArgumentException($"invalid --big-tcp={inline}: true or false"),
                    };
                    break;
                case "--ipv6" when inline is "false":
                    break;
                case "--ipv6":
                case "--fixed-cidr-v6":
                    // IPv6 is per user-defined network (docker network create --ipv6); the default bridge stays IPv4.
                    throw new ArgumentException($"{a} is not supported: the default bridge is IPv4 only; create a user-defined network with 'docker network create --ipv6' instead");
                case "--config-file":
                    o.ConfigFile = Path.GetFullPath(Value());
                    o.Registry = ReadConfigFile(o.ConfigFile);
                    break;
                case "-h":
                case "--help": throw new HelpRequested();
                default: throw new ArgumentException($"unknown flag: {a}");
            }
        }
        return o;
    }

    private static Wharf.Distribution.RegistryOptions ReadConfigFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"unable to read --config-file {path}: {e.Message}");
        }
        try { return Wharf.Distribution.RegistryOptions.FromDaemonJson(text); }
        catch (Exception e) when (e is System.Text.Json.JsonException or Wharf.Core.WharfException)
        {
            throw new ArgumentException($"invalid --config-file {path}: {e.Message}");
        }
    }

    private static string ParseHost(string host)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal)) host = host["unix://".Length..];
        else if (host.Contains("://", StringComparison.Ordinal))
            throw new ArgumentException($"unsupported --host {host}: only unix:///path sockets are served");
        if (!Path.IsPathRooted(host)) throw new ArgumentException($"--host needs an absolute socket path: {host}");
        return host;
    }

    public const string Usage = """
        Usage: wharfd [OPTIONS]

        A Docker-compatible container engine daemon.

        Options:
          --data-root string   Root directory of persistent state (default "/var/lib/wharf")
          -H, --host string    Daemon socket to listen on (default "unix:///run/wharf/wharf.sock")
          -p, --pidfile string Path to use for the daemon PID file (default "/run/wharf/wharfd.pid")
          --exec-root string   Root directory for execution state files (default "/run/wharf")
          --runtime string     OCI runtime (default "runc")
          -b, --bridge string  Name of the default bridge (default "wharf0")
          --bip string         Default bridge address and prefix (default "172.31.0.1/16")
          --mtu int            MTU of the default bridge (default 1500)
          --big-tcp=false      Keep 64 KiB IPv4 GSO packets on container veths (default: 192 KiB on Linux 6.12+)
          -l, --log-level      debug, info, warn or error (default "info")
          -D, --debug          Same as --log-level debug
          --config-file string Daemon configuration file (JSON: insecure-registries, registry-mirrors)
        """;

    internal sealed class HelpRequested : Exception;
}
