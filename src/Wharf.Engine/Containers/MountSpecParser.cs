using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Core;

namespace Wharf.Engine.Containers;

/// <summary>
/// Docker's Linux mount parser (moby <c>volume/mounts/linux_parser.go</c>): <c>-v</c> strings
/// (<c>HostConfig.Binds</c>), <c>--mount</c> specs (<c>HostConfig.Mounts</c>) and <c>--volumes-from</c>, with the same
/// accepted forms and the same error texts. An absolute source is a bind, anything else names a volume.
/// </summary>
public static class MountSpecParser
{
    private static readonly HashSet<string> RwModes = ["rw", "ro"];
    private static readonly HashSet<string> LabelModes = ["z", "Z"];
    private static readonly HashSet<string> PropagationModes = ["private", "rprivate", "slave", "rslave", "shared", "rshared"];
    private static readonly HashSet<string> ConsistencyModes = ["consistent", "cached", "delegated"];
    private const string DefaultPropagation = "rprivate";

    /// <summary>Whether <paramref name="mode"/> is a comma list with at most one of each kind of option.</summary>
    public static bool ValidMountMode(string mode)
    {
        if (mode.Length == 0) return true;
        int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
        foreach (var o in mode.Split(','))
        {
            if (RwModes.Contains(o)) rw++;
            else if (LabelModes.Contains(o)) label++;
            else if (PropagationModes.Contains(o)) propagation++;
            else if (o == "nocopy") copy++;
            else if (ConsistencyModes.Contains(o)) consistency++;
            else return false;
        }
        return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1;
    }

    /// <summary>Parses one <c>-v</c> / Binds entry: <c>/dest</c>, <c>src:/dest</c> or <c>src:/dest:mode</c>.
    /// A bind source that does not exist is accepted (created at create time, as Docker does for <c>-v</c>).</summary>
    public static MountPointRecord ParseBind(string raw)
    {
        var arr = raw.Split(':', 4);
        if (arr[0].Length == 0) throw InvalidSpec(raw);
        string source = "", target, mode = "";
        switch (arr.Length)
        {
            case 1:
                target = arr[0];
                break;
            case 2:
                // "/foo:rw" is a destination with a mode, which a volume cannot be.
                if (ValidMountMode(arr[1])) throw InvalidSpec(raw);
                source = arr[0];
                target = arr[1];
                break;
            case 3:
                source = arr[0];
                target = arr[1];
                mode = arr[2];
                break;
            default:
                throw InvalidSpec(raw);
        }
        if (!ValidMountMode(mode)) throw WharfException.Invalid($"invalid mode: {mode}");
        var options = mode.Length == 0 ? [] : mode.Split(',');
        var spec = new ContainerMount
        {
            Type = source.StartsWith('/') ? "bind" : "volume",
            Source = source,
            Target = target,
            ReadOnly = options.Contains("ro"),
        };
        if (options.Contains("nocopy")) spec.VolumeOptions = new VolumeOptions { NoCopy = true };
        var propagation = options.FirstOrDefault(PropagationModes.Contains);
        if (propagation is not null) spec.BindOptions = new BindOptions { Propagation = propagation };
        try
        {
            var mp = ParseSpec(spec, checkBindSource: false);
            mp.Mode = mode;
            return mp;
        }
        catch (WharfException ex) when (ex.Kind == ErrorKind.InvalidArgument)
        {
            throw WharfException.Invalid($"invalid volume specification: '{raw}': {ex.Message}");
        }
    }

    /// <summary>Validates one <c>HostConfig.Mounts</c> entry (<c>--mount</c>); a bind source must exist.</summary>
    public static MountPointRecord ParseMount(ContainerMount m) => ParseSpec(m, checkBindSource: true);

    private static MountPointRecord ParseSpec(ContainerMount m, bool checkBindSource)
    {
        Validate(m, checkBindSource);
        var mp = new MountPointRecord
        {
            Type = m.Type,
            Destination = Clean(m.Target),
            RW = !m.ReadOnly,
        };
        switch (m.Type)
        {
            case "volume":
                mp.Name = m.Source;
                mp.Named = m.Source.Length > 0;
                mp.Driver = string.IsNullOrEmpty(m.VolumeOptions?.DriverConfig?.Name) ? "local" : m.VolumeOptions.DriverConfig.Name;
                mp.CopyData = m.VolumeOptions?.NoCopy != true;
                mp.VolumeLabels = m.VolumeOptions?.Labels;
                mp.VolumeDriverOptions = m.VolumeOptions?.DriverConfig?.Options;
                break;
            case "bind":
                mp.Source = Clean(m.Source);
                mp.Propagation = string.IsNullOrEmpty(m.BindOptions?.Propagation) ? DefaultPropagation : m.BindOptions.Propagation;
                mp.NonRecursive = m.BindOptions?.NonRecursive == true;
                break;
            case "tmpfs":
                mp.TmpfsOptions = TmpfsOptions(m.TmpfsOptions, m.ReadOnly);
                break;
        }
        return mp;
    }

    private static void Validate(ContainerMount m, bool checkBindSource)
    {
        if (m.Target.Length == 0) throw MountConfig(m, "field Target must not be empty");
        if (Clean(m.Target) == "/") throw MountConfig(m, "invalid specification: destination can't be '/'");
        if (!m.Target.StartsWith('/')) throw MountConfig(m, $"invalid mount path: '{m.Target}' mount path must be absolute");
        switch (m.Type)
        {
            case "bind":
                if (m.Source.Length == 0) throw MountConfig(m, "field Source must not be empty");
                if (m.BindOptions?.Propagation is { Length: > 0 } p && !PropagationModes.Contains(p))
                    throw MountConfig(m, $"invalid propagation mode: {p}");
                if (m.VolumeOptions is not null) throw MountConfig(m, "field VolumeOptions must not be specified");
                if (!m.Source.StartsWith('/')) throw MountConfig(m, $"invalid mount path: '{m.Source}' mount path must be absolute");
                if (checkBindSource && m.BindOptions?.CreateMountpoint != true && !Path.Exists(m.Source))
                    throw MountConfig(m, $"bind source path does not exist: {m.Source}");
                break;
            case "volume":
                if (m.BindOptions is not null) throw MountConfig(m, "field BindOptions must not be specified");
                if (m.VolumeOptions?.Subpath is { Length: > 0 })
                    throw WharfException.NotImplemented("volume subpath is not supported yet");
                if (m.ReadOnly && m.Source.Length == 0) throw MountConfig(m, "must not set ReadOnly mode when using anonymous volumes");
                break;
            case "tmpfs":
                if (m.BindOptions is not null) throw MountConfig(m, "field BindOptions must not be specified");
                if (m.Source.Length != 0) throw MountConfig(m, "field Source must not be specified");
                TmpfsOptions(m.TmpfsOptions, m.ReadOnly, m);
                break;
            case "image" or "npipe" or "cluster":
                throw WharfException.NotImplemented($"mount type '{m.Type}' is not supported");
            default:
                throw MountConfig(m, "mount type unknown");
        }
    }

    /// <summary>moby ConvertTmpfsOptions: ro, mode (octal), size with the largest exact k/m/g suffix, exec/noexec.</summary>
    private static List<string> TmpfsOptions(TmpfsOptions? t, bool readOnly, ContainerMount? forErrors = null)
    {
        var list = new List<string>();
        if (readOnly) list.Add("ro");
        if (t is null) return list;
        if (t.Mode != 0) list.Add("mode=" + Convert.ToString(t.Mode, 8));
        if (t.SizeBytes != 0)
        {
            long size = t.SizeBytes;
            string suffix = "";
            foreach (var (s, div) in new[] { ("g", 1L << 30), ("m", 1L << 20), ("k", 1L << 10) })
            {
                if (size % div != 0) continue;
                size /= div;
                suffix = s;
                break;
            }
            list.Add("size=" + size.ToString(CultureInfo.InvariantCulture) + suffix);
        }
        foreach (var opt in t.Options ?? [])
        {
            if (opt.Count is < 1 or > 2) throw MountConfig(forErrors, "invalid option array length");
            if (opt[0] is not ("exec" or "noexec")) throw MountConfig(forErrors, "invalid option: " + opt[0]);
            list.Add(opt.Count == 1 ? opt[0] : opt[0] + "=" + opt[1]);
        }
        return list;
    }

    /// <summary><c>--volumes-from container[:ro|rw]</c> → (container, mode). Propagation and nocopy are refused.</summary>
    public static (string Container, string Mode) ParseVolumesFrom(string spec)
    {
        if (spec.Length == 0) throw WharfException.Invalid("volumes-from specification cannot be an empty string");
        int colon = spec.IndexOf(':');
        if (colon < 0) return (spec, "rw");
        var id = spec[..colon];
        var mode = spec[(colon + 1)..];
        if (mode.Length == 0) return (id, "rw");
        var options = mode.Split(',');
        if (!ValidMountMode(mode) || options.Any(PropagationModes.Contains) || options.Contains("nocopy"))
            throw WharfException.Invalid($"invalid mode: {mode}");
        return (id, mode);
    }

    /// <summary>Go's path.Clean for absolute paths; relative ones are returned unchanged.</summary>
    public static string Clean(string path)
    {
        if (!path.StartsWith('/')) return path;
        var parts = new List<string>();
        foreach (var p in path.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    private static WharfException InvalidSpec(string raw) => WharfException.Invalid($"invalid volume specification: '{raw}'");

    private static WharfException MountConfig(ContainerMount? m, string message) =>
        WharfException.Invalid($"invalid mount config for type \"{m?.Type ?? "tmpfs"}\": {message}");
}
