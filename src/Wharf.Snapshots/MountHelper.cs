using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Snapshots;

/// <summary>Performs and undoes <see cref="Mount"/> records with mount(2)/umount2(2).</summary>
public static class MountHelper
{
    /// <summary>Mounts the list at <paramref name="target"/> in order (later mounts stack on earlier ones).
    /// On failure, what was already mounted is undone.</summary>
    public static void MountAll(IReadOnlyList<Mount> mounts, string target)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        int done = 0;
        try
        {
            foreach (var m in mounts)
            {
                MountOne(m, target);
                done++;
            }
        }
        catch
        {
            for (; done > 0; done--) Unmount(target);
            throw;
        }
    }

    private static void MountOne(Mount m, string target)
    {
        ulong flags = 0;
        var data = new List<string>();
        bool readOnly = false;
        foreach (var o in m.Options)
        {
            switch (o)
            {
                case "ro": readOnly = true; break;
                case "rw": break;
                case "bind": flags |= Native.MS_BIND; break;
                case "rbind": flags |= Native.MS_BIND | Native.MS_REC; break;
                case "nosuid": flags |= Native.MS_NOSUID; break;
                case "nodev": flags |= Native.MS_NODEV; break;
                case "noexec": flags |= Native.MS_NOEXEC; break;
                default: data.Add(o); break;
            }
        }
        bool bind = (flags & Native.MS_BIND) != 0 || m.Type == "bind";
        if (bind) flags |= Native.MS_BIND;
        else if (readOnly) flags |= Native.MS_RDONLY;
        var dataText = data.Count == 0 ? null : string.Join(',', data);
        if (Native.mount(m.Source, target, bind ? null : m.Type, flags, bind ? null : dataText) != 0)
        {
            int errno = Native.LastErrno;
            throw WharfException.Internal($"mount {m.Type} on {target}: {Native.ErrorText(errno)}");
        }
        // A bind mount ignores MS_RDONLY on the first call; read-only takes a remount.
        if (bind && readOnly &&
            Native.mount("", target, null, Native.MS_BIND | Native.MS_REMOUNT | Native.MS_RDONLY | (flags & (Native.MS_NOSUID | Native.MS_NODEV | Native.MS_NOEXEC)), null) != 0)
        {
            int errno = Native.LastErrno;
            Unmount(target);
            throw WharfException.Internal($"remount {target} read-only: {Native.ErrorText(errno)}");
        }
    }

    /// <summary>Unmounts <paramref name="target"/> (lazily with <paramref name="detach"/>). Not mounted is not an error.</summary>
    public static void Unmount(string target, bool detach = true)
    {
        if (Native.umount2(target, (detach ? Native.MNT_DETACH : 0) | Native.UMOUNT_NOFOLLOW) == 0) return;
        int errno = Native.LastErrno;
        if (errno is Native.EINVAL or Native.ENOENT) return;
        throw WharfException.Internal($"unmount {target}: {Native.ErrorText(errno)}");
    }

    /// <summary>Unmounts every mount stacked at <paramref name="target"/>.</summary>
    public static void UnmountAll(string target)
    {
        for (int i = 0; i < 64 && IsMountPoint(target); i++) Unmount(target);
    }

    /// <summary>True when <paramref name="path"/> is a mount point in this mount namespace (from /proc/self/mountinfo).</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (full.Length == 0) full = "/";
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options ...
            int start = 0;
            for (int field = 0; field < 4; field++)
            {
                start = line.IndexOf(' ', start) + 1;
                if (start == 0) break;
            }
            if (start == 0) continue;
            int end = line.IndexOf(' ', start);
            if (end < 0) continue;
            if (Unescape(line.AsSpan(start, end - start)) == full) return true;
        }
        return false;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(ReadOnlySpan<char> s)
    {
        if (s.IndexOf('\\') < 0) return s.ToString();
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length &&
                s[i + 1] is >= '0' and <= '7' && s[i + 2] is >= '0' and <= '7' && s[i + 3] is >= '0' and <= '7')
            {
                sb.Append((char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }
}
