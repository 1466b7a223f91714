using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Cli.BaseImage;

/// <summary>What `wharf base-image debian` makes: suite, extra packages, mirror, and the fixed time stamped on
/// every file (SOURCE_DATE_EPOCH).</summary>
internal sealed record DebianOptions(string Suite, IReadOnlyList<string> Includes, string Mirror, long Epoch)
{
    public const string DefaultSuite = "bookworm";
    public const string FallbackMirror = "http://deb.debian.org/debian";

    /// <summary>Parses "a,b, c" (repeatable flag values joined) into a sorted, distinct package list, so the same set
    /// in any order makes the same rootfs and cache key. Rejects names apt would not accept.</summary>
    public static IReadOnlyList<string> ParseIncludes(IEnumerable<string> values)
    {
        var list = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var raw in value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // Debian policy 5.6.1 package names, optionally pinned (=version) or for an arch (:amd64).
                if (!raw.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '-' or '.' or ':' or '=' or '~') || !char.IsAsciiLetterOrDigit(raw[0]))
                    throw new BaseImageException($"invalid package name \"{raw}\" in --include");
                list.Add(raw);
            }
        }
        return [.. list];
    }

    /// <summary>The Debian mirror apt on this machine uses (deb822 .sources "URIs:" or a sources.list "deb" line for
    /// a …/debian archive, not -security), else deb.debian.org.</summary>
    public static string MirrorFromSources(IEnumerable<string> sourceFileTexts)
    {
        foreach (var text in sourceFileTexts)
        {
            foreach (var rawLine in text.Split('\n'))
            {
                var line = rawLine.Trim();
                string[] uris;
                if (line.StartsWith("URIs:", StringComparison.OrdinalIgnoreCase)) uris = line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                else if (line.StartsWith("deb ", StringComparison.Ordinal)) uris = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith('[')).Take(1).ToArray();
                else continue;
                foreach (var uri in uris)
                    if (uri.TrimEnd('/').EndsWith("/debian", StringComparison.Ordinal) && uri.StartsWith("http", StringComparison.Ordinal)) return uri.TrimEnd('/');
            }
        }
        return FallbackMirror;
    }

    public static string DefaultMirror()
    {
        var texts = new List<string>();
        try
        {
            if (Directory.Exists("/etc/apt/sources.list.d"))
                foreach (var f in Directory.EnumerateFiles("/etc/apt/sources.list.d").Where(f => f.EndsWith(".sources", StringComparison.Ordinal) || f.EndsWith(".list", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                    texts.Add(File.ReadAllText(f));
            if (File.Exists("/etc/apt/sources.list")) texts.Add(File.ReadAllText("/etc/apt/sources.list"));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return MirrorFromSources(texts);
    }

    /// <summary>The rootfs cache key: everything that changes what mmdebstrap makes (and the recipe's version).</summary>
    public string CacheKey()
    {
        var text = string.Join('\0', "wharf-debian-v1", Suite, string.Join(',', Includes), Mirror.TrimEnd('/'), Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>What the image's history says made it.</summary>
    public string CreatedBy() =>
        $"wharf base-image debian --suite {Suite}" + (Includes.Count > 0 ? " --include " + string.Join(',', Includes) : "") + " --mirror " + Mirror;

    /// <summary>mmdebstrap's arguments. Reproducibility: SOURCE_DATE_EPOCH (set in the environment) clamps mtimes;
    /// the hook removes what differs between runs or machines (apt lists and caches, logs, ld.so aux cache,
    /// machine-id, *-old backups); no /dev nodes (the runtime provides /dev).</summary>
    public IReadOnlyList<string> MmdebstrapArguments(string outputTar)
    {
        var args = new List<string> { "--variant=minbase", "--format=tar", "--skip=output/dev", "--quiet" };
        if (Includes.Count > 0) args.Add("--include=" + string.Join(',', Includes));
        args.Add("--customize-hook=" + CleanupHook);
        args.Add(Suite);
        args.Add(outputTar);
        args.Add(Mirror);
        return args;
    }

    internal const string CleanupHook =
        "rm -rf \"$1\"/var/lib/apt/lists/* \"$1\"/var/cache/apt/*.bin \"$1\"/var/cache/apt/archives/*.deb \"$1\"/var/cache/ldconfig/aux-cache " +
        "\"$1\"/var/log/apt/* \"$1\"/var/log/*.log \"$1\"/var/cache/debconf/*-old \"$1\"/var/lib/dpkg/*-old \"$1\"/etc/machine-id \"$1\"/var/lib/dbus/machine-id";
}

/// <summary>Makes (or takes from the cache) the Debian rootfs tar with mmdebstrap.</summary>
internal static class DebianRootfs
{
    public const string DefaultCacheDir = "/var/cache/wharf/base-images";

    /// <summary>The cached rootfs tar for these options, made first if missing. mmdebstrap writes into a temp name
    /// in the cache dir that is renamed once complete, so an interrupted run never leaves a usable-looking entry.</summary>
    public static async Task<string> EnsureAsync(DebianOptions options, string cacheDir, TextWriter log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(cacheDir);
        var key = options.CacheKey();
        var path = Path.Combine(cacheDir, "debian-" + key + ".tar");
        if (File.Exists(path))
        {
            await log.WriteLineAsync($"using cached rootfs {path}").ConfigureAwait(false);
            return path;
        }
        var temp = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var psi = new ProcessStartInfo("mmdebstrap") { UseShellExecute = false };
        foreach (var a in options.MmdebstrapArguments(temp)) psi.ArgumentList.Add(a);
        psi.Environment["SOURCE_DATE_EPOCH"] = options.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await log.WriteLineAsync($"running mmdebstrap {options.Suite} from {options.Mirror} (about a minute)…").ConfigureAwait(false);
        try
        {
            using var process = Process.Start(psi) ?? throw new BaseImageException("could not start mmdebstrap");
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0) throw new BaseImageException($"mmdebstrap failed (exit {process.ExitCode})");
            File.Move(temp, path);
            await File.WriteAllTextAsync(Path.Combine(cacheDir, "debian-" + key + ".txt"), options.CreatedBy() + "\n", ct).ConfigureAwait(false);
            return path;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new BaseImageException("mmdebstrap is not installed (apt-get install mmdebstrap)");
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
