using Wharf.Interop;

namespace Wharf.Engine.Volumes;

/// <summary>
/// Docker's copy-up: a new empty volume mounted over a directory of the image starts with that directory's
/// content, ownership and modes. Never follows a symbolic link (a link in the image must not lead the copy
/// out of the container's root file system).
/// </summary>
public static class VolumeCopier
{
    private const uint TypeDir = 0x4000, TypeFile = 0x8000, TypeLink = 0xA000, TypeSocket = 0xC000;

    /// <summary>True when <paramref name="path"/> is inside <paramref name="root"/> with no symlink on the way
    /// and is a directory (the only case Docker copies from).</summary>
    public static bool IsPlainDirectoryUnder(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)) return false;
        var current = root;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (!Native.TryLstat(current, out var st) || (st.Mode & Native.S_IFMT) != TypeDir) return false;
        }
        return true;
    }

    public static bool IsEmptyDirectory(string path) => !Directory.EnumerateFileSystemEntries(path).Any();

    /// <summary>Copies the content of <paramref name="source"/> into <paramref name="destination"/> (an existing
    /// directory) and gives the destination the source's owner and mode.</summary>
    public static void CopyTree(string source, string destination)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            if (!Native.TryLstat(entry, out var st)) continue;
            var target = Path.Combine(destination, Path.GetFileName(entry));
            switch (st.Mode & Native.S_IFMT)
            {
                case TypeDir:
                    Directory.CreateDirectory(target);
                    CopyTree(entry, target);
                    break;
                case TypeFile:
                    File.Copy(entry, target, overwrite: true);
                    CopyOwnerAndMode(st, target);
                    File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(entry));
                    break;
                case TypeLink:
                    File.CreateSymbolicLink(target, new FileInfo(entry).LinkTarget ?? "");
                    _ = Native.lchown(target, (int)st.Uid, (int)st.Gid);
                    break;
                case TypeSocket:
                    break; // a socket is nothing without its listener
                default:
                    // fifo and device nodes
                    if (Native.mknod(target, st.Mode, Native.MakeDev(st.RdevMajor, st.RdevMinor)) == 0) CopyOwnerAndMode(st, target);
                    break;
            }
        }
        if (Native.TryLstat(source, out var root)) CopyOwnerAndMode(root, destination);
        Directory.SetLastWriteTimeUtc(destination, Directory.GetLastWriteTimeUtc(source));
    }

    private static void CopyOwnerAndMode(StatxInfo st, string path)
    {
        // chown first: it clears set-id bits that the chmod then restores.
        _ = Native.lchown(path, (int)st.Uid, (int)st.Gid);
        _ = Native.chmod(path, st.Mode & 0xFFF);
    }
}
