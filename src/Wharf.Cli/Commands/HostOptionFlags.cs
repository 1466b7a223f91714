using System.Net;
using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>
/// The run/create flags that fill HostConfig's security and device fields, parsed and validated as docker's
/// cli/command/container/opts.go does (--cap-add, --cap-drop, --tmpfs, --security-opt, --device,
/// --device-cgroup-rule, --add-host, --group-add, --sysctl, --log-driver, --log-opt).
/// </summary>
internal static class HostOptionFlags
{
    public static readonly FlagSpec[] Flags =
    [
        FlagSpec.Value("cap-add"),
        FlagSpec.Value("cap-drop"),
        FlagSpec.Value("security-opt"),
        FlagSpec.Value("device"),
        FlagSpec.Value("device-cgroup-rule"),
        FlagSpec.Value("add-host"),
        FlagSpec.Value("group-add"),
        FlagSpec.Value("sysctl"),
        FlagSpec.Value("log-driver"),
        FlagSpec.Value("log-opt"),
    ];

    private static readonly HashSet<string> NamespacedSysctls =
    [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ];

    public static void Apply(ParsedFlags flags, HostConfig hc)
    {
        hc.CapAdd = NullIfEmpty(flags.Values("cap-add"));
        hc.CapDrop = NullIfEmpty(flags.Values("cap-drop"));
        hc.GroupAdd = NullIfEmpty(flags.Values("group-add"));
        hc.DeviceCgroupRules = NullIfEmpty(flags.Values("device-cgroup-rule"));
        hc.SecurityOpt = NullIfEmpty(flags.Values("security-opt").Select(SecurityOpt).ToList());
        hc.ExtraHosts = NullIfEmpty(flags.Values("add-host").Select(ExtraHost).ToList());

        if (flags.Values("sysctl") is { Count: > 0 } sysctls)
        {
            hc.Sysctls = [];
            foreach (var s in sysctls)
            {
                var (key, value) = Sysctl(s);
                hc.Sysctls[key] = value;
            }
        }

        if (flags.Values("device") is { Count: > 0 } devices) hc.Devices = devices.Select(Device).ToList();

        var logOpts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in flags.Values("log-opt"))
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"invalid argument \"{o}\" for \"--log-opt\" flag: invalid key value pair format in driver options");
            logOpts[o[..eq]] = o[(eq + 1)..];
        }
        hc.LogConfig = new LogConfig { Type = flags.Value("log-driver") ?? "", Config = logOpts };
    }

    private static List<string>? NullIfEmpty(IReadOnlyList<string> values) => values.Count > 0 ? [.. values] : null;

    /// <summary>The daemon cannot read the client's files, so a seccomp profile path is sent as its JSON.</summary>
    private static string SecurityOpt(string opt)
    {
        int eq = opt.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0 || opt[..eq] != "seccomp") return opt;
        var value = opt[(eq + 1)..];
        if (value is "unconfined" or "builtin") return opt;
        string text;
        try { text = File.ReadAllText(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"opening seccomp profile ({value}) failed: {e.Message}");
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer)) doc.WriteTo(writer);
            return "seccomp=" + System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw new UsageException($"compacting json for seccomp profile ({value}) failed: {e.Message}");
        }
    }

    /// <summary>"name:ip" or "name=ip"; the daemon gets "name:ip".</summary>
    private static string ExtraHost(string value)
    {
        int sep = value.IndexOf('=', StringComparison.Ordinal);
        if (sep < 0) sep = value.IndexOf(':', StringComparison.Ordinal);
        if (sep <= 0) throw new UsageException($"invalid argument \"{value}\" for \"--add-host\" flag: bad format for add-host: \"{value}\"");
        var ip = value[(sep + 1)..];
        var bare = ip.StartsWith('[') && ip.EndsWith(']') ? ip[1..^1] : ip;
        if (bare != "host-gateway" && !IPAddress.TryParse(bare, out _))
            throw new UsageException($"invalid argument \"{value}\" for \"--add-host\" flag: invalid IP address in add-host: \"{ip}\"");
        return value[..sep] + ":" + bare;
    }

    /// <summary>docker's ValidateSysctl: only namespaced sysctls.</summary>
    private static (string Key, string Value) Sysctl(string value)
    {
        int eq = value.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? "" : value[..eq];
        if (eq < 0 || !(NamespacedSysctls.Contains(key) || key.StartsWith("net.", StringComparison.Ordinal) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal)))
            throw new UsageException($"invalid argument \"{value}\" for \"--sysctl\" flag: sysctl '{value}' is not allowed");
        return (key, value[(eq + 1)..]);
    }

    /// <summary>host[:container][:perms], perms from r, w, m.</summary>
    private static DeviceMapping Device(string value)
    {
        var parts = value.Split(':', 4);
        string src = parts[0], dst = "", perms = "rwm";
        switch (parts.Length)
        {
            case 3:
                perms = parts[2];
                dst = parts[1];
                break;
            case 2 when IsMode(parts[1]):
                perms = parts[1];
                break;
            case 2:
                dst = parts[1];
                break;
            case 1:
                break;
            default:
                throw new UsageException($"invalid argument \"{value}\" for \"--device\" flag: invalid device specification: {value}");
        }
        if (dst.Length == 0) dst = src;
        if (!IsMode(perms)) throw new UsageException($"invalid argument \"{value}\" for \"--device\" flag: invalid device mode: {perms}");
        if (!dst.StartsWith('/')) throw new UsageException($"invalid argument \"{value}\" for \"--device\" flag: bad format for path: {dst}");
        return new DeviceMapping { PathOnHost = src, PathInContainer = dst, CgroupPermissions = perms };
    }

    private static bool IsMode(string mode) =>
        mode.Length is > 0 and <= 3 && mode.All(c => c is 'r' or 'w' or 'm') && mode.Distinct().Count() == mode.Length;
}
