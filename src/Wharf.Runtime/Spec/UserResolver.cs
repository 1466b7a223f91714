using System.Globalization;
using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// Turns Docker's <c>--user</c> ("", "name", "uid", "name:group", "uid:gid", ...) into ids using the image's
/// /etc/passwd and /etc/group read inside the rootfs, with runc's libcontainer/user GetExecUser rules: the first
/// matching entry wins, numeric values need no entry, supplementary groups come from /etc/group membership
/// only when no group is given explicitly.
/// </summary>
public static class UserResolver
{
    private const long MaxId = int.MaxValue;

    private sealed record PasswdEntry(string Name, long Uid, long Gid, string Home);

    private sealed record GroupEntry(string Name, long Gid, string[] Members);

    /// <param name="rootfsPath">The mounted rootfs.</param>
    /// <param name="userSpec">Config.User.</param>
    /// <param name="groupAdd">HostConfig.GroupAdd: names or numbers appended to the supplementary groups.</param>
    public static ResolvedUser Resolve(string rootfsPath, string? userSpec, IReadOnlyList<string>? groupAdd = null)
    {
        userSpec ??= "";
        int colon = userSpec.IndexOf(':', StringComparison.Ordinal);
        string userArg = colon < 0 ? userSpec : userSpec[..colon];
        string groupArg = colon < 0 ? "" : userSpec[(colon + 1)..];
        bool uidNumeric = long.TryParse(userArg, NumberStyles.None, CultureInfo.InvariantCulture, out long uidArg);
        bool gidNumeric = long.TryParse(groupArg, NumberStyles.None, CultureInfo.InvariantCulture, out long gidArg);

        // Missing files are fine: then only numeric ids resolve.
        var passwd = new Lazy<List<PasswdEntry>?>(() => ParsePasswd(RootfsPath.ReadAllText(rootfsPath, "/etc/passwd")));
        var groups = new Lazy<List<GroupEntry>?>(() => ParseGroup(RootfsPath.ReadAllText(rootfsPath, "/etc/group")));

        long uid = 0, gid = 0;
        string home = "/";
        string? matchedName = null;
        var sgids = new List<uint>();

        // A numeric user still looks in passwd (for its home and group memberships) but needs no entry.
        PasswdEntry? match = passwd.Value?.FirstOrDefault(u =>
            userArg.Length == 0 ? u.Uid == 0 : uidNumeric ? u.Uid == uidArg : u.Name == userArg);
        if (match is not null)
        {
            matchedName = match.Name;
            uid = match.Uid;
            gid = match.Gid;
            home = match.Home;
        }
        else if (userArg.Length > 0)
        {
            if (!uidNumeric) throw WharfException.Invalid($"unable to find user {userArg}: no matching entries in passwd file");
            uid = uidArg;
        }
        CheckRange(uid);

        if (groupArg.Length > 0)
        {
            var g = groups.Value?.FirstOrDefault(x => gidNumeric ? x.Gid == gidArg : x.Name == groupArg);
            if (g is not null) gid = g.Gid;
            else if (!gidNumeric) throw WharfException.Invalid($"unable to find group {groupArg}: no matching entries in group file");
            else gid = gidArg;
        }
        else if (matchedName is not null && groups.Value is { } all)
        {
            foreach (var g in all)
                if (g.Members.Contains(matchedName)) sgids.Add(checked((uint)CheckRange(g.Gid)));
        }
        CheckRange(gid);

        foreach (var ag in groupAdd ?? [])
        {
            var g = groups.Value?.FirstOrDefault(x => x.Name == ag || x.Gid.ToString(CultureInfo.InvariantCulture) == ag);
            if (g is not null) sgids.Add((uint)CheckRange(g.Gid));
            else if (long.TryParse(ag, NumberStyles.None, CultureInfo.InvariantCulture, out long n)) sgids.Add((uint)CheckRange(n));
            else throw WharfException.Invalid($"Unable to find group {ag}: no matching entries in group file");
        }

        return new ResolvedUser((uint)uid, (uint)gid, sgids, home);
    }

    private static long CheckRange(long id) =>
        id is < 0 or > MaxId ? throw WharfException.Invalid("uids and gids must be in range 0-2147483647") : id;

    private static List<PasswdEntry>? ParsePasswd(string? text)
    {
        if (text is null) return null;
        var list = new List<PasswdEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            // name:password:uid:gid:gecos:home:shell
            var f = line.Split(':');
            if (f.Length < 4) continue;
            if (!long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)) continue;
            if (!long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)) continue;
            list.Add(new PasswdEntry(f[0], uid, gid, f.Length > 5 && f[5].Length > 0 ? f[5] : "/"));
        }
        return list;
    }

    private static List<GroupEntry>? ParseGroup(string? text)
    {
        if (text is null) return null;
        var list = new List<GroupEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            // name:password:gid:member,member
            var f = line.Split(':');
            if (f.Length < 3) continue;
            if (!long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)) continue;
            var members = f.Length > 3 ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            list.Add(new GroupEntry(f[0], gid, members));
        }
        return list;
    }
}
