using System.Globalization;
using System.Text.RegularExpressions;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Runtime.Spec;

/// <summary>
/// --device and --device-cgroup-rule as moby's DevicesFromPath and AppendDevicePermissionsFromCgroupRules:
/// a device node (a symlink to one is followed) or a directory of them is created in the container at the
/// given path and allowed in the device cgroup with the given permissions.
/// </summary>
public static partial class DeviceMappings
{
    [GeneratedRegex(@"^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$")]
    private static partial Regex CgroupRule();

    public static (List<SpecDevice> Devices, List<SpecDeviceRule> Rules) Resolve(SpecInputDevice mapping)
    {
        var devices = new List<SpecDevice>();
        var rules = new List<SpecDeviceRule>();
        var host = mapping.PathOnHost;
        var resolved = host;
        if (Native.TryLstat(host, out var st) && (st.Mode & Native.S_IFMT) == 0xA000)
        {
            try { resolved = Path.GetFullPath(new FileInfo(host).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? host); }
            catch (IOException) { }
        }

        var node = FromPath(resolved, out var error);
        if (node is not null)
        {
            devices.Add(node with { Path = mapping.PathInContainer });
            rules.Add(Rule(node, mapping.CgroupPermissions));
            return (devices, rules);
        }
        if (error == "not a device node" && Directory.Exists(resolved))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(resolved, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (FromPath(path, out _) is not { } child) continue;
                devices.Add(child with { Path = mapping.PathInContainer + path[resolved.Length..] });
                rules.Add(Rule(child, mapping.CgroupPermissions));
            }
        }
        if (devices.Count == 0)
            throw WharfException.Invalid($"error gathering device information while adding custom device \"{host}\": {error}");
        return (devices, rules);
    }

    /// <summary>"c 1:3 mr", "b *:* rwm", "a *:* m": Docker's syntax; "*" becomes -1, which runc reads as any.</summary>
    public static SpecDeviceRule ParseCgroupRule(string rule)
    {
        var m = CgroupRule().Match(rule);
        if (!m.Success) throw WharfException.Invalid($"invalid device cgroup rule format: '{rule}'");
        return new SpecDeviceRule
        {
            Allow = true,
            Type = m.Groups[1].Value,
            Major = Number(m.Groups[2].Value, "major"),
            Minor = Number(m.Groups[3].Value, "minor"),
            Access = m.Groups[4].Value,
        };

        long Number(string v, string what) =>
            v == "*" ? -1
            : long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw WharfException.Invalid($"invalid {what} value in device cgroup rule format: '{rule}'");
    }

    private static SpecDevice? FromPath(string path, out string error)
    {
        if (!Native.TryLstat(path, out var st))
        {
            error = "no such file or directory";
            return null;
        }
        var type = st.Mode & Native.S_IFMT;
        string? kind = type == Native.S_IFCHR ? "c" : type == Native.S_IFBLK ? "b" : null;
        if (kind is null)
        {
            error = "not a device node";
            return null;
        }
        error = "";
        return new SpecDevice
        {
            Type = kind, Path = path, Major = st.RdevMajor, Minor = st.RdevMinor,
            FileMode = st.Mode & 0xFFF, Uid = st.Uid, Gid = st.Gid,
        };
    }

    private static SpecDeviceRule Rule(SpecDevice d, string access) =>
        new() { Allow = true, Type = d.Type, Major = d.Major, Minor = d.Minor, Access = access };
}
