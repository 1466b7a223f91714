using System.Diagnostics;
using System.Text.Json.Nodes;
using Wharf.Runtime;

namespace Wharf.Unit.Tests.Runtime;

/// <summary>
/// A hand-built busybox bundle plus a private runc root and state dir, deleted on dispose (also on failure).
/// Needs root, runc, /bin/busybox (busybox-static) and a built wharf-shim; fails loudly otherwise.
/// </summary>
internal sealed class RuncTestContainer : IAsyncDisposable
{
    public RuncTestContainer(params string[] args) : this(false, args) { }

    public RuncTestContainer(bool tty, params string[] args)
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("runtime tests need root");
        if (!File.Exists("/bin/busybox")) throw new InvalidOperationException("runtime tests need /bin/busybox (apt install busybox-static)");
        Root = Directory.CreateTempSubdirectory("wharf-rt-").FullName;
        Id = "t" + Guid.NewGuid().ToString("N")[..12];
        Bundle = Path.Combine(Root, "bundle");
        StateDir = Path.Combine(Root, "state");
        RuncRoot = Path.Combine(Root, "runc");
        LogPath = Path.Combine(StateDir, Id + "-json.log");
        var bin = Path.Combine(Bundle, "rootfs", "bin");
        Directory.CreateDirectory(bin);
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        foreach (var l in new[] { "sh", "echo", "cat", "sleep", "true", "id" }) File.CreateSymbolicLink(Path.Combine(bin, l), "busybox");

        Run("runc", "spec", "--bundle", Bundle);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Bundle, "config.json")))!;
        config["process"]!["terminal"] = tty;
        var argArray = new JsonArray();
        foreach (var a in args) argArray.Add(a);
        config["process"]!["args"] = argArray;
        config["root"]!["readonly"] = false;
        File.WriteAllText(Path.Combine(Bundle, "config.json"), config.ToJsonString());
    }

    public string Root { get; }
    public string Id { get; }
    public string Bundle { get; }
    public string StateDir { get; }
    public string RuncRoot { get; }
    public string LogPath { get; }

    public RuncRuntime NewRuntime() => new("runc", RuncRoot, ShimPath());

    public RuntimeCreateOptions Options(bool tty = false, bool stdin = false, bool stdinOnce = false) =>
        new(Id, Bundle, StateDir, LogPath, tty, stdin, stdinOnce, 24, 80);

    /// <summary>WHARF_SHIM, else the Debug/Release build output or the published artifact in the repo.</summary>
    public static string ShimPath()
    {
        var env = Environment.GetEnvironmentVariable("WHARF_SHIM");
        if (!string.IsNullOrEmpty(env)) return env;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "src", "Wharf.Shim", "Wharf.Shim.csproj"))) dir = dir.Parent;
        if (dir != null)
        {
            foreach (var candidate in new[] { "artifacts/wharf/wharf-shim", "src/Wharf.Shim/bin/Debug/net10.0/wharf-shim", "src/Wharf.Shim/bin/Release/net10.0/wharf-shim" })
            {
                var path = Path.Combine(dir.FullName, candidate);
                if (File.Exists(path)) return path;
            }
        }
        throw new InvalidOperationException("wharf-shim not built: run `dotnet build src/Wharf.Shim` or set WHARF_SHIM");
    }

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {err}");
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await NewRuntime().DeleteAsync(Id, StateDir, CancellationToken.None);
        }
        catch (Exception)
        {
            // Best effort; the directory removal below still runs.
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
