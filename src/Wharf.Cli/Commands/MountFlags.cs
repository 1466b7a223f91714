using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>
/// <c>-v</c>, <c>--mount</c>, <c>--tmpfs</c> and <c>--volumes-from</c> turned into the create body as the docker CLI
/// does: a <c>-v</c> with a source becomes a Bind (a "./" or "../" host path made absolute), a bare path becomes
/// a Config.Volumes entry; <c>--mount</c> is a CSV of key=value fields. The daemon validates the rest.
/// </summary>
internal static class MountFlags
{
    public static void Apply(ParsedFlags flags, ContainerCreateRequest request, HostConfig hostConfig)
    {
        var binds = new List<string>();
        foreach (var v in flags.Values("volume"))
        {
            int colon = v.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                request.Volumes![v] = EmptyObject.Instance;
                continue;
            }
            var host = v[..colon];
            if (host.StartsWith('.')) host = Path.GetFullPath(host);
            binds.Add(host + v[colon..]);
        }
        if (binds.Count > 0) hostConfig.Binds = binds;

        var mounts = flags.Values("mount").Select(ParseMount).ToList();
        if (mounts.Count > 0) hostConfig.Mounts = mounts;

        if (flags.Values("volumes-from") is { Count: > 0 } from) hostConfig.VolumesFrom = [.. from];

        foreach (var t in flags.Values("tmpfs"))
        {
            hostConfig.Tmpfs ??= [];
            int colon = t.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) hostConfig.Tmpfs[t] = "";
            else hostConfig.Tmpfs[t[..colon]] = t[(colon + 1)..];
        }
    }

    /// <summary>docker cli opts/mount.go: <c>type=volume</c> by default; src/source, dst/destination/target, readonly/ro, …</summary>
    public static ContainerMount ParseMount(string value)
    {
        var m = new ContainerMount { Type = "volume" };
        var volumeOptions = new VolumeOptions();
        var bindOptions = new BindOptions();
        var tmpfsOptions = new TmpfsOptions();
        bool hasVolume = false, hasBind = false, hasTmpfs = false;
        foreach (var field in value.Split(','))
        {
            int eq = field.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            var val = eq < 0 ? null : field[(eq + 1)..];
            if (val is null && key is not ("readonly" or "ro" or "volume-nocopy" or "bind-nonrecursive"))
                throw new UsageException($"invalid argument \"{value}\" for \"--mount\" flag: invalid field '{field}' must be a key=value pair");
            switch (key)
            {
                case "type": m.Type = val!; break;
                case "source" or "src": m.Source = val!; break;
                case "target" or "dst" or "destination": m.Target = val!; break;
                case "readonly" or "ro": m.ReadOnly = Bool(value, key, val); break;
                case "consistency": m.Consistency = val!; break;
                case "bind-propagation": bindOptions.Propagation = val; hasBind = true; break;
                case "bind-nonrecursive": bindOptions.NonRecursive = Bool(value, key, val); hasBind = true; break;
                case "volume-nocopy": volumeOptions.NoCopy = Bool(value, key, val); hasVolume = true; break;
                case "volume-driver": (volumeOptions.DriverConfig ??= new DriverConfig()).Name = val!; hasVolume = true; break;
                case "volume-label":
                    (volumeOptions.Labels ??= [])[val!.Split('=', 2)[0]] = val.Contains('=', StringComparison.Ordinal) ? val.Split('=', 2)[1] : "";
                    hasVolume = true;
                    break;
                case "volume-opt":
                    ((volumeOptions.DriverConfig ??= new DriverConfig()).Options ??= [])[val!.Split('=', 2)[0]] = val.Contains('=', StringComparison.Ordinal) ? val.Split('=', 2)[1] : "";
                    hasVolume = true;
                    break;
                case "tmpfs-size": tmpfsOptions.SizeBytes = Size(value, val!); hasTmpfs = true; break;
                case "tmpfs-mode":
                    try { tmpfsOptions.Mode = Convert.ToInt32(val, 8); }
                    catch (FormatException) { throw new UsageException($"invalid argument \"{value}\" for \"--mount\" flag: invalid value for {key}: {val}"); }
                    hasTmpfs = true;
                    break;
                default:
                    throw new UsageException($"invalid argument \"{value}\" for \"--mount\" flag: unexpected key '{key}' in '{field}'");
            }
        }
        if (hasVolume) m.VolumeOptions = volumeOptions;
        if (hasBind) m.BindOptions = bindOptions;
        if (hasTmpfs) m.TmpfsOptions = tmpfsOptions;
        return m;
    }

    private static bool Bool(string value, string key, string? val) => val?.ToLowerInvariant() switch
    {
        null or "1" or "true" => true,
        "0" or "false" => false,
        _ => throw new UsageException($"invalid argument \"{value}\" for \"--mount\" flag: invalid value for {key}: {val}"),
    };

    /// <summary>go-units RAMInBytes: k/m/g/t powers of 1024, optional "b"/"ib".</summary>
    private static long Size(string value, string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t.EndsWith("ib", StringComparison.Ordinal)) t = t[..^2];
        else if (t.EndsWith('b')) t = t[..^1];
        long mul = 1;
        if (t.Length > 0 && t[^1] is 'k' or 'm' or 'g' or 't')
        {
            mul = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new UsageException($"invalid argument \"{value}\" for \"--mount\" flag: invalid size: '{text}'");
        return (long)(n * mul);
    }
}
