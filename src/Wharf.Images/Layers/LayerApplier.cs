using System.Formats.Tar;
using System.Text;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Images.Layers;

/// <summary>What applying a layer produced.</summary>
/// <param name="Size">Bytes of regular-file content written (Docker's layer "size").</param>
/// <param name="Entries">Number of tar entries processed.</param>
public sealed record LayerApplyResult(long Size, int Entries);

/// <summary>
/// Extracts an uncompressed layer tar into a directory (an overlay lower dir), securely:
/// <list type="bullet">
/// <item>Entry names are cleaned lexically; a name that climbs above the root ("../x") is rejected, an absolute
/// one ("/etc/x") is taken relative to the root.</item>
/// <item>Every parent component of an entry must be a real directory inside the root (lstat, symlinks never
/// followed): a symlink in a parent path is rejected, so nothing is written through a link.</item>
/// <item>Files are created with O_CREAT|O_EXCL after removing whatever was at the final name, so the final
/// component is never followed either; metadata calls use the no-follow variants (lchown, lsetxattr,
/// utimensat AT_SYMLINK_NOFOLLOW) and chmod is never applied to a symlink.</item>
/// <item>Hard link targets are cleaned the same way and must already exist inside the layer.</item>
/// <item>Whiteouts become overlay whiteouts: <c>.wh.&lt;name&gt;</c> → char device 0/0,
/// <c>.wh..wh..opq</c> → xattr trusted.overlay.opaque=y on the directory.</item>
/// <item>xattrs from PAX SCHILY.xattr records are kept except trusted.* and security.* other than
/// security.capability (overlayfs trusts trusted.overlay.*, so a layer must not set them).</item>
/// </list>
/// Any violation throws WharfException(InvalidArgument) naming the entry; the caller discards the target dir.
/// The target directory must be private to this extraction (no concurrent writers), which is what makes
/// the lstat-then-create checks race-free. Not thread-safe per target; independent targets are fine.
/// </summary>
public static class LayerApplier
{
    private const string WhiteoutPrefix = ".wh.";
    private const string WhiteoutMetaPrefix = ".wh..wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    /// <summary>Applies the uncompressed tar <paramref name="tar"/> into the existing directory <paramref name="root"/>.</summary>
    public static LayerApplyResult Apply(Stream tar, string root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException();
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (Lstat(root) != NodeKind.Directory) throw WharfException.Invalid($"layer target {root} is not a directory");

        var dirTimes = new List<(string Path, DateTimeOffset Time)>();
        long size = 0;
        int count = 0;
        using var reader = new TarReader(tar, leaveOpen: true);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry(copyData: false);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
            {
                throw new WharfException(ErrorKind.InvalidArgument, $"invalid tar archive: {e.Message}", e);
            }
            if (entry is null) break;
            count++;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            try
            {
                size += ApplyEntry(entry, root, dirTimes);
            }
            catch (WharfException)
            {
                throw;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
            {
                throw new WharfException(ErrorKind.InvalidArgument, $"failed to extract tar entry \"{entry.Name}\": {e.Message}", e);
            }
        }
        // Directory mtimes last: creating children changed them.
        for (int i = dirTimes.Count - 1; i >= 0; i--)
            Native.SetTimesNoFollow(dirTimes[i].Path, dirTimes[i].Time, dirTimes[i].Time);
        return new LayerApplyResult(size, count);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static long ApplyEntry(TarEntry entry, string root, List<(string, DateTimeOffset)> dirTimes)
    {
        var name = entry.Name;
        var parts = CleanPath(name, out bool escapes);
        if (escapes) throw Bad(name, "path escapes the layer root");
        if (parts.Count == 0)
        {
            // "./" or "/": the layer root itself; only its metadata can change.
            if (entry.EntryType != TarEntryType.Directory) throw Bad(name, "names the layer root but is not a directory");
            ApplyMetadata(entry, root, isSymlink: false);
            dirTimes.Add((root, entry.ModificationTime));
            return 0;
        }

        var parent = EnsureParents(root, parts, name);
        var baseName = parts[^1];

        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            if (baseName == OpaqueWhiteout)
            {
                int err = Native.SetXattr(parent, "trusted.overlay.opaque", "y"u8);
                if (err != 0) throw Bad(name, "cannot mark directory opaque: " + Native.ErrorText(err));
                return 0;
            }
            // Other aufs metadata (.wh..wh.plnk, .wh..wh.aufs) has no overlay meaning.
            if (baseName.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal)) return 0;
            var victim = baseName[WhiteoutPrefix.Length..];
            if (victim.Length == 0 || victim is "." or "..") throw Bad(name, "invalid whiteout name");
            var path = Path.Combine(parent, victim);
            RemoveExisting(path, keepDirectory: false);
            if (Native.mknod(path, Native.S_IFCHR, 0) != 0)
                throw Bad(name, "cannot create whiteout: " + Native.ErrorText(Native.LastErrno));
            Native.lchown(path, entry.Uid, entry.Gid);
            return 0;
        }

        var full = Path.Combine(parent, baseName);
        bool isDir = entry.EntryType == TarEntryType.Directory;
        RemoveExisting(full, keepDirectory: isDir);
        long written = 0;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (Lstat(full) == NodeKind.Missing) Directory.CreateDirectory(full);
                dirTimes.Add((full, entry.ModificationTime));
                break;
            case TarEntryType.RegularFile:
            case TarEntryType.V7RegularFile:
            case TarEntryType.ContiguousFile:
                {
                    var opts = new FileStreamOptions
                    {
                        Mode = FileMode.CreateNew, // O_EXCL: never opens an existing name, never follows a link
                        Access = FileAccess.Write,
                        Share = FileShare.None,
                        BufferSize = 0,
                        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    };
                    using var fs = new FileStream(full, opts);
                    if (entry.DataStream is { } data)
                    {
                        data.CopyTo(fs, 1 << 16);
                        written = fs.Length;
                    }
                    break;
                }
            case TarEntryType.SymbolicLink:
                if (string.IsNullOrEmpty(entry.LinkName)) throw Bad(name, "symlink without target");
                // The link text is stored as is: it is only ever resolved inside the container's root.
                File.CreateSymbolicLink(full, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                {
                    var targetParts = CleanPath(entry.LinkName, out bool targetEscapes);
                    if (targetEscapes || targetParts.Count == 0) throw Bad(name, $"hard link target \"{entry.LinkName}\" is outside the layer");
                    var target = ResolveExisting(root, targetParts);
                    if (target is null) throw Bad(name, $"hard link target \"{entry.LinkName}\" does not exist in the layer");
                    if (Lstat(target) == NodeKind.Directory) throw Bad(name, "hard link to a directory");
                    // link(2) does not follow a symlink target: a link to a symlink is the symlink itself.
                    if (Native.link(target, full) != 0)
                        throw Bad(name, "cannot create hard link: " + Native.ErrorText(Native.LastErrno));
                    return 0; // shares the target's inode and metadata
                }
            case TarEntryType.CharacterDevice:
            case TarEntryType.BlockDevice:
            case TarEntryType.Fifo:
                {
                    uint type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => Native.S_IFCHR,
                        TarEntryType.BlockDevice => Native.S_IFBLK,
                        _ => Native.S_IFIFO,
                    };
                    var (major, minor) = entry is PosixTarEntry p ? (p.DeviceMajor, p.DeviceMinor) : (0, 0);
                    if (Native.mknod(full, type | ((uint)entry.Mode & 0xfff), Native.MakeDev(major, minor)) != 0)
                    {
                        int errno = Native.LastErrno;
                        // EPERM: no CAP_MKNOD (user namespace); Docker skips devices there too.
                        if (errno == 1) return 0;
                        throw Bad(name, "cannot create device node: " + Native.ErrorText(errno));
                    }
                    break;
                }
            default:
                throw Bad(name, $"unsupported tar entry type {entry.EntryType}");
        }
        bool isSymlink = entry.EntryType == TarEntryType.SymbolicLink;
        ApplyMetadata(entry, full, isSymlink);
        if (!isDir) Native.SetTimesNoFollow(full, entry.ModificationTime, entry.ModificationTime);
        return written;
    }

    private static void ApplyMetadata(TarEntry entry, string path, bool isSymlink)
    {
        if (Native.lchown(path, entry.Uid, entry.Gid) != 0)
        {
            int errno = Native.LastErrno;
            // EPERM/EINVAL: ids not mappable (unprivileged or user namespace); keep the file with our ids.
            if (errno is not (1 or Native.EINVAL)) throw Bad(entry.Name, "lchown: " + Native.ErrorText(errno));
        }
        if (!isSymlink)
        {
            // After chown, which clears setuid/setgid.
            if (Native.chmod(path, (uint)entry.Mode & 0xfff) != 0)
                throw Bad(entry.Name, "chmod: " + Native.ErrorText(Native.LastErrno));
        }
        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (!key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)) continue;
                var attr = key["SCHILY.xattr.".Length..];
                if (!XattrAllowed(attr)) continue;
                // System.Formats.Tar decodes PAX values as UTF-8; a binary value that was not valid UTF-8
                // cannot be recovered, and writing a mangled capability set would be worse than none.
                if (value.Contains('\uFFFD', StringComparison.Ordinal)) continue;
                int err = Native.SetXattr(path, attr, Encoding.UTF8.GetBytes(value));
                // ENOTSUP (95) / EPERM on file systems or namespaces without that xattr class: Docker ignores these too.
                if (err != 0 && err is not (95 or 1)) throw Bad(entry.Name, $"setxattr {attr}: {Native.ErrorText(err)}");
            }
        }
    }

    private static bool XattrAllowed(string name) =>
        name == "security.capability" ||
        name.StartsWith("user.", StringComparison.Ordinal) ||
        name is "system.posix_acl_access" or "system.posix_acl_default";

    /// <summary>Removes what is at <paramref name="path"/> so a new entry can take its name (tar semantics: later
    /// entries replace earlier ones). A directory survives only when the new entry is a directory too.</summary>
    private static void RemoveExisting(string path, bool keepDirectory)
    {
        switch (Lstat(path))
        {
            case NodeKind.Missing:
                return;
            case NodeKind.Directory:
                if (keepDirectory) return;
                Directory.Delete(path, recursive: true); // removes links inside, never their targets
                return;
            default:
                File.Delete(path); // unlink: a symlink itself, not its target
                return;
        }
    }

    /// <summary>Makes sure every parent of the entry is a real directory inside <paramref name="root"/>,
    /// creating missing ones (0755, as tar implementations do), and returns the parent path.</summary>
    private static string EnsureParents(string root, List<string> parts, string entryName)
    {
        var current = root;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            switch (Lstat(current))
            {
                case NodeKind.Directory:
                    break;
                case NodeKind.Missing:
                    Directory.CreateDirectory(current);
                    break;
                case NodeKind.Symlink:
                    throw Bad(entryName, $"parent path \"{string.Join('/', parts.Take(i + 1))}\" is a symlink");
                default:
                    throw Bad(entryName, $"parent path \"{string.Join('/', parts.Take(i + 1))}\" is not a directory");
            }
        }
        return current;
    }

    /// <summary>Resolves an existing in-layer path without following any symlink in its parents; null when
    /// a component is missing or a parent is not a real directory.</summary>
    private static string? ResolveExisting(string root, List<string> parts)
    {
        var current = root;
        for (int i = 0; i < parts.Count; i++)
        {
            current = Path.Combine(current, parts[i]);
            var kind = Lstat(current);
            if (kind == NodeKind.Missing) return null;
            if (i < parts.Count - 1 && kind != NodeKind.Directory) return null;
        }
        return current;
    }

    /// <summary>Lexical cleaning of a tar name: drops empty and "." components and a leading "/", resolves
    /// "..". <paramref name="escapes"/> is set when ".." would climb above the root.</summary>
    internal static List<string> CleanPath(string name, out bool escapes)
    {
        escapes = false;
        var parts = new List<string>();
        if (name.Contains('\0', StringComparison.Ordinal)) { escapes = true; return parts; }
        foreach (var p in name.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..")
            {
                if (parts.Count == 0) { escapes = true; return parts; }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(p);
        }
        return parts;
    }

    internal enum NodeKind { Missing, Directory, Symlink, Other }

    /// <summary>lstat-based classification (File.GetAttributes does not follow the final symlink).</summary>
    internal static NodeKind Lstat(string path)
    {
        FileAttributes a;
        try
        {
            a = File.GetAttributes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return NodeKind.Missing;
        }
        if ((a & FileAttributes.ReparsePoint) != 0) return NodeKind.Symlink;
        if ((a & FileAttributes.Directory) != 0) return NodeKind.Directory;
        return NodeKind.Other;
    }

    private static WharfException Bad(string entryName, string why) =>
        WharfException.Invalid($"invalid tar entry \"{entryName}\": {why}");
}
