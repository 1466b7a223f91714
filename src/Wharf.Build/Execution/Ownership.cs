using Wharf.Build.Context;
using Wharf.Core;

namespace Wharf.Build.Execution;

/// <summary>--chown=user[:group] with names looked up in the image's own /etc/passwd and /etc/group.</summary>
internal static class Ownership
{
    public static (int Uid, int Gid) Resolve(string? chown, string rootfs)
    {
        if (string.IsNullOrEmpty(chown)) return (0, 0);
        var parts = chown.Split(':', 2);
        var user = parts[0];
        var group = parts.Length > 1 ? parts[1] : user;
        var uid = Lookup(user, rootfs, "/etc/passwd", out var primaryGid);
        int gid;
        if (parts.Length == 1 && !int.TryParse(user, out _) && primaryGid is { } g) gid = g;
        else gid = Lookup(group, rootfs, "/etc/group", out _);
        return (uid, gid);
    }

    private static int Lookup(string name, string rootfs, string file, out int? primaryGid)
    {
        primaryGid = null;
        if (int.TryParse(name, out var id)) return id;
        var path = RootPath.Resolve(rootfs, file);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var f = line.Split(':');
                if (f.Length >= 3 && f[0] == name && int.TryParse(f[2], out var v))
                {
                    if (f.Length >= 4 && int.TryParse(f[3], out var pg)) primaryGid = pg;
                    return v;
                }
            }
        }
        var what = file.EndsWith("passwd", StringComparison.Ordinal) ? "user" : "group";
        throw WharfException.Invalid($"unable to convert uid/gid chown string to host mapping: can't find uid for {what} {name}: no such {what}: {name}");
    }
}
