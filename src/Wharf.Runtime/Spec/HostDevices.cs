using Wharf.Interop;

namespace Wharf.Runtime.Spec;

/// <summary>
/// The host's device nodes, for --privileged (Docker creates every host /dev entry in the container).
/// Same walk as containerd's HostDevices: symlinks are not followed, the pseudo-filesystems and runtime
/// directories under /dev are skipped, and /dev/console is left to runc.
/// </summary>
public static class HostDevices
{
    private static readonly HashSet<string> SkippedDirs = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

    public static List<SpecDevice> List(string root = "/dev")
    {
        var list = new List<SpecDevice>();
        Walk(root, list);
        return list;
    }

    private static void Walk(string dir, List<SpecDevice> list)
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList(); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }

        foreach (var path in entries)
        {
            if (!Native.TryLstat(path, out var st)) continue;
            var type = st.Mode & Native.S_IFMT;
            var name = Path.GetFileName(path);
            if (type == 0x4000)
            {
                if (!SkippedDirs.Contains(name)) Walk(path, list);
                continue;
            }
            if (name == "console") continue;
            string? kind = type == Native.S_IFCHR ? "c" : type == Native.S_IFBLK ? "b" : null;
            if (kind is null) continue;
            list.Add(new SpecDevice
            {
                Type = kind,
                Path = path,
                Major = st.RdevMajor,
                Minor = st.RdevMinor,
                FileMode = st.Mode & 0xFFF,
                Uid = st.Uid,
                Gid = st.Gid,
            });
        }
    }
}
