using System.Runtime.InteropServices;

namespace Wharf.Build.Execution;

/// <summary>
/// The --build-arg values and their use: which were consumed (for the "not consumed" warning), the predefined
/// proxy args (usable without an ARG line, never persisted) and the automatic platform args.
/// </summary>
internal sealed class BuildArgs
{
    public static readonly string[] Proxies =
        ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

    private readonly IReadOnlyDictionary<string, string?> _given;
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    public BuildArgs(IReadOnlyDictionary<string, string?> given, string? platform)
    {
        _given = given;
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64", Architecture.Arm => "arm", Architecture.X86 => "386", _ => "amd64",
        };
        var target = string.IsNullOrEmpty(platform) ? "linux/" + arch : platform;
        var parts = target.Split('/');
        Platform = new Dictionary<string, string>
        {
            ["BUILDPLATFORM"] = "linux/" + arch, ["BUILDOS"] = "linux", ["BUILDARCH"] = arch, ["BUILDVARIANT"] = "",
            ["TARGETPLATFORM"] = target, ["TARGETOS"] = parts[0], ["TARGETARCH"] = parts.Length > 1 ? parts[1] : arch,
            ["TARGETVARIANT"] = parts.Length > 2 ? parts[2] : "",
        };
    }

    /// <summary>The automatic platform args: visible to FROM lines, and in a stage once it declares them.</summary>
    public IReadOnlyDictionary<string, string> Platform { get; }

    /// <summary>The value given with --build-arg, marking it consumed; null when not given (or given as null).</summary>
    public bool TryGet(string name, out string? value)
    {
        if (_given.TryGetValue(name, out value))
        {
            lock (_consumed) _consumed.Add(name);
            return value is not null;
        }
        return false;
    }

    /// <summary>Proxy args given on the command line: they reach RUN without an ARG line.</summary>
    public IEnumerable<KeyValuePair<string, string>> GivenProxies()
    {
        foreach (var p in Proxies)
            if (_given.TryGetValue(p, out var v) && v is not null)
            {
                lock (_consumed) _consumed.Add(p);
                yield return new(p, v);
            }
    }

    public IReadOnlyList<string> Unconsumed()
    {
        lock (_consumed) return _given.Keys.Where(k => !_consumed.Contains(k) && !Proxies.Contains(k)).Order(StringComparer.Ordinal).ToList();
    }
}
