namespace Wharf.Runtime.Cgroups;

/// <summary>Finds the cgroup hierarchies in mountinfo text: v1 controllers wherever they are mounted (together as
/// "cpu,cpuacct" or apart), named v1 hierarchies (no controllers), and the cgroup2 mount.</summary>
public static class CgroupMounts
{
    /// <summary>v1 options that are not controllers.</summary>
    private static readonly HashSet<string> NotControllers = ["rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "xattr", "clone_children", "noprefix", "cpuset_v2_mode"];

    public static IReadOnlyList<CgroupMount> Parse(string mountinfo)
    {
        var list = new List<CgroupMount>();
        foreach (var line in mountinfo.Split('\n'))
        {
            // "id parent major:minor root mountpoint opts [optional...] - fstype source superopts"
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0) continue;
            var left = line[..sep].Split(' ');
            var right = line[(sep + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 3) continue;
            var root = Unescape(left[3]);
            var mountPoint = Unescape(left[4]);
            if (right[0] == "cgroup2")
            {
                list.Add(new CgroupMount(mountPoint, root, [], Unified: true));
            }
            else if (right[0] == "cgroup")
            {
                var controllers = right[2].Split(',')
                    .Where(o => o.Length > 0 && !NotControllers.Contains(o) && !o.Contains('=', StringComparison.Ordinal))
                    .ToList();
                // A named hierarchy (name=systemd) has no controllers but is a cgroup tree all the same: runc makes
                // the container's directory in it too (StoppedContainerDelete removes it).
                bool named = right[2].Split(',').Any(o => o.StartsWith("name=", StringComparison.Ordinal));
                if (controllers.Count > 0 || named) list.Add(new CgroupMount(mountPoint, root, controllers, Unified: false));
            }
        }
        return list;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal)) return s;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
