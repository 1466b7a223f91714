using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Snapshots.Archive;

/// <summary>
/// Extracts a tar into a directory of a container (PUT /containers/{id}/archive) as Docker's chrooted untar
/// does, without a chroot: every parent directory is resolved with RESOLVE_IN_ROOT from the container root
/// (symlinks are followed, but only inside the container), and the final name is created relative to that
/// parent's fd with O_EXCL/O_NOFOLLOW-style calls, so nothing is ever written through a link to the host.
/// Not thread-safe.
/// </summary>
/// <param name="root">The container root.</param>
/// <param name="destination">Absolute container path of an existing directory (already canonical).</param>
/// <param name="noOverwriteDirNonDir">Refuse to replace a directory with a non-directory and vice versa.</param>
/// <param name="owner">Owner of everything extracted; null for 0:0 (Docker's default for cp).</param>
public sealed class InRootExtractor(ContainerRoot root, string destination, bool noOverwriteDirNonDir, (int Uid, int Gid)? owner)
{
    private readonly List<(string Path, DateTimeOffset Time)> _dirTimes = [];

    public void Extract(Stream tar, CancellationToken cancellationToken)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TarEntry? entry;
            try { entry = reader.GetNextEntry(copyData: false); }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
            {
                throw new WharfException(ErrorKind.InvalidArgument, "invalid tar archive: " + e.Message, e);
            }
            if (entry is null) break;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes) continue;
            try { ExtractEntry(entry); }
            catch (IOException e) { throw WharfException.Invalid($"failed to extract \"{entry.Name}\": {e.Message}"); }
        }
        // Directory times last: creating their children changed them.
        for (int i = _dirTimes.Count - 1; i >= 0; i--)
        {
            var (path, time) = _dirTimes[i];
            using var dir = root.OpenDirectory(path, out _);
            if (dir is not null) Native.SetTimesAt(FdHandles.Fd(dir), "", time);
        }
    }

    private void ExtractEntry(TarEntry entry)
    {
        var parts = Clean(entry.Name);
        if (parts is null) throw WharfException.Invalid($"invalid tar entry \"{entry.Name}\": path escapes the destination");
        if (parts.Count == 0) return; // "./": the destination itself
        var name = parts[^1];
        var parentPath = Join(destination, parts.Take(parts.Count - 1));
        using var parent = EnsureDirectory(parentPath);
        int pfd = FdHandles.Fd(parent);
        bool isDir = entry.EntryType == TarEntryType.Directory;

        if (Native.TryStatAt(pfd, name, out var existing))
        {
            if (existing.IsDirectory && isDir)
            {
                ApplyMetadata(pfd, name, entry, isSymlink: false);
                _dirTimes.Add((Join(parentPath, [name]), entry.ModificationTime));
                return;
            }
            if (noOverwriteDirNonDir && existing.IsDirectory)
                throw WharfException.Invalid($"cannot overwrite directory \"{Join(parentPath, [name])}\" with non-directory \"{entry.Name}\"");
            if (noOverwriteDirNonDir && isDir)
                throw WharfException.Invalid($"cannot overwrite non-directory \"{Join(parentPath, [name])}\" with directory \"{entry.Name}\"");
            RemoveAt(parent, name, existing.IsDirectory);
        }

        uint perm = (uint)entry.Mode & 0xFFF;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Check(Native.mkdirat(pfd, name, 0x1c0), entry, "mkdir");
                _dirTimes.Add((Join(parentPath, [name]), entry.ModificationTime));
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                {
                    int fd = Native.openat(pfd, name, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0x180);
                    Check(fd < 0 ? -1 : 0, entry, "create");
                    using var fs = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 0);
                    entry.DataStream?.CopyTo(fs, 1 << 16);
                    break;
                }
            case TarEntryType.SymbolicLink:
                // The link text is stored as is; it only ever resolves inside the container.
                Check(Native.symlinkat(entry.LinkName, pfd, name), entry, "symlink");
                break;
            case TarEntryType.HardLink:
                {
                    var target = Clean(entry.LinkName);
                    if (target is null || target.Count == 0) throw WharfException.Invalid($"invalid hard link \"{entry.Name}\" -> \"{entry.LinkName}\"");
                    using var targetParent = root.OpenDirectory(Join(destination, target.Take(target.Count - 1)), out _)
                        ?? throw WharfException.Invalid($"hard link target \"{entry.LinkName}\" does not exist");
                    Check(Native.linkat(FdHandles.Fd(targetParent), target[^1], pfd, name, 0), entry, "link");
                    return;
                }
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                {
                    uint type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => Native.S_IFCHR,
                        TarEntryType.BlockDevice => Native.S_IFBLK,
                        _ => Native.S_IFIFO,
                    };
                    var (major, minor) = entry is PosixTarEntry p ? (p.DeviceMajor, p.DeviceMinor) : (0, 0);
                    Check(Native.mknodat(pfd, name, type | perm, Native.MakeDev(major, minor)), entry, "mknod");
                    break;
                }
            default:
                throw WharfException.Invalid($"unsupported tar entry type {entry.EntryType} for \"{entry.Name}\"");
        }
        ApplyMetadata(pfd, name, entry, entry.EntryType == TarEntryType.SymbolicLink);
        if (!isDir) Native.SetTimesAt(pfd, name, entry.ModificationTime);
    }

    private void ApplyMetadata(int pfd, string name, TarEntry entry, bool isSymlink)
    {
        // Docker: without copyUIDGID everything belongs to the container's root; with it, to the container's user.
        var (uid, gid) = owner ?? (0, 0);
        Native.fchownat(pfd, name, uid, gid, Native.AT_SYMLINK_NOFOLLOW);
        if (isSymlink) return;
        int fd = Native.openat(pfd, name, Native.O_PATH | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0);
        if (fd < 0) return;
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        if (!Native.TryStatAt(fd, "", out var st) || st.IsSymlink) return;
        // fchmod refuses O_PATH fds; the /proc link of this fd names exactly the inode just created.
        Native.chmod($"/proc/self/fd/{fd}", (uint)entry.Mode & 0xFFF);
    }

    /// <summary>Opens (creating missing components, 0755) the directory at container path <paramref name="path"/>.</summary>
    private SafeFileHandle EnsureDirectory(string path)
    {
        var dir = root.OpenDirectory(path, out int errno);
        if (dir is not null) return dir;
        if (errno != Native.ENOENT) throw WharfException.Invalid($"cannot extract into {path}: {Native.ErrorText(errno)}");
        int slash = path.TrimEnd('/').LastIndexOf('/');
        var parentPath = slash <= 0 ? "/" : path[..slash];
        using var parent = EnsureDirectory(parentPath);
        int r = Native.mkdirat(FdHandles.Fd(parent), path[(slash + 1)..], 0x1ed);
        if (r != 0 && Native.LastErrno != Native.EEXIST) throw WharfException.Invalid($"mkdir {path}: {Native.ErrorText(Native.LastErrno)}");
        return root.OpenDirectory(path, out errno) ?? throw WharfException.Invalid($"cannot extract into {path}: {Native.ErrorText(errno)}");
    }

    /// <summary>Removes a name under an open directory; a directory with everything in it, walked by fd.</summary>
    private static void RemoveAt(SafeFileHandle parent, string name, bool isDirectory)
    {
        int pfd = FdHandles.Fd(parent);
        if (!isDirectory)
        {
            Native.unlinkat(pfd, name, 0);
            return;
        }
        using (var dir = FdHandles.OpenChildDirectory(parent, name, out _))
        {
            if (dir is not null)
                foreach (var child in FdHandles.ListChildren(dir))
                    RemoveAt(dir, child, Native.TryStatAt(FdHandles.Fd(dir), child, out var st) && st.IsDirectory);
        }
        Native.unlinkat(pfd, name, Native.AT_REMOVEDIR);
    }

    private static void Check(int result, TarEntry entry, string what)
    {
        if (result == 0) return;
        int errno = Native.LastErrno;
        throw WharfException.Invalid($"failed to extract \"{entry.Name}\": {what}: {Native.ErrorText(errno)}");
    }

    /// <summary>Lexical clean of a tar name; null when ".." climbs above the destination.</summary>
    public static List<string>? Clean(string name)
    {
        var parts = new List<string>();
        if (name.Contains('\0', StringComparison.Ordinal)) return null;
        foreach (var p in name.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(p);
        }
        return parts;
    }

    private static string Join(string basePath, IEnumerable<string> parts)
    {
        var s = basePath.TrimEnd('/');
        foreach (var p in parts) s += "/" + p;
        return s.Length == 0 ? "/" : s;
    }
}
