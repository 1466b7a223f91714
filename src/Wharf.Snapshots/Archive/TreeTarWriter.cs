using System.Formats.Tar;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Wharf.Interop;

namespace Wharf.Snapshots.Archive;

/// <summary>
/// Writes a directory tree as a PAX tar the way Docker's archive package does: sorted names, directories with a
/// trailing "/", owners, permission bits, mtimes, symlinks, device nodes, FIFOs, hard links (second and later
/// names of one inode become link entries), and the xattrs Docker carries (security.capability, user.*).
/// Sockets are skipped. The walk is fd-anchored: each directory is opened with O_NOFOLLOW relative to its
/// already-open parent and files are read through their own fd, so a tree that a running container changes
/// under us can never make the daemon read a file outside it.
/// Not thread-safe.
/// </summary>
public sealed class TreeTarWriter : IDisposable
{
    private const string OpaqueXattr = "trusted.overlay.opaque";
    private readonly TarWriter _tar;
    private readonly Stream _output;
    private bool _wroteEntry;
    private readonly TreeTarOptions _options;
    private readonly Dictionary<(uint, uint, ulong), string> _links = [];

    public TreeTarWriter(Stream output, TreeTarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        _output = output;
        _options = options ?? new TreeTarOptions();
    }

    /// <summary>Bytes of regular-file content written so far.</summary>
    public long ContentSize { get; private set; }

    /// <summary>Writes the contents of <paramref name="dir"/> under <paramref name="prefix"/> ("" for the archive
    /// root, otherwise "name" → "name/", "name/child"…), with an entry for the directory itself when prefix is not empty.</summary>
    public void WriteDirectory(SafeFileHandle dir, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dir);
        if (prefix.Length > 0)
        {
            if (!Native.TryStatAt(FdHandles.Fd(dir), "", out var st)) return;
            WriteDirectoryEntry(dir, st, prefix);
        }
        WriteChildren(dir, prefix, "", cancellationToken);
    }

    /// <summary>Writes the child <paramref name="name"/> of <paramref name="parent"/> as <paramref name="archiveName"/>
    /// (recursively for a directory). False when it no longer exists.</summary>
    public bool WriteChild(SafeFileHandle parent, string name, string archiveName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return WriteNode(parent, name, archiveName, relative: "", cancellationToken);
    }

    private void WriteChildren(SafeFileHandle dir, string prefix, string relative, CancellationToken cancellationToken)
    {
        foreach (var name in FdHandles.ListChildren(dir))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var childRelative = relative.Length == 0 ? name : relative + "/" + name;
            if (_options.Exclude?.Invoke(childRelative) == true) continue;
            WriteNode(dir, name, prefix.Length == 0 ? name : prefix + "/" + name, childRelative, cancellationToken);
        }
    }

    private bool WriteNode(SafeFileHandle parent, string name, string archiveName, string relative, CancellationToken cancellationToken)
    {
        int pfd = FdHandles.Fd(parent);
        if (!Native.TryStatAt(pfd, name, out var st)) return false; // vanished meanwhile
        switch (st.Type)
        {
            case FileStatus.Directory:
                {
                    using var child = FdHandles.OpenChildDirectory(parent, name, out _);
                    if (child is null) return false; // replaced by something else meanwhile
                    if (!Native.TryStatAt(FdHandles.Fd(child), "", out st)) return false;
                    WriteDirectoryEntry(child, st, archiveName);
                    WriteChildren(child, archiveName, relative, cancellationToken);
                    return true;
                }
            case FileStatus.Regular:
                return WriteRegular(parent, name, archiveName);
            case FileStatus.Symlink:
                {
                    var target = Native.ReadLinkAt(pfd, name);
                    if (target is null) return false;
                    var e = NewEntry(TarEntryType.SymbolicLink, archiveName, st, null);
                    e.LinkName = target;
                    Write(e);
                    return true;
                }
            case FileStatus.CharDevice when _options.OverlayWhiteouts && st.RdevMajor == 0 && st.RdevMinor == 0:
                {
                    var whiteout = WhiteoutName(archiveName, ".wh." + name);
                    Write(NewEntry(TarEntryType.RegularFile, whiteout, st with { Mode = FileStatus.Regular }, null));
                    return true;
                }
            case FileStatus.CharDevice:
            case FileStatus.BlockDevice:
                {
                    var type = st.Type == FileStatus.CharDevice ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice;
                    var e = NewEntry(type, archiveName, st, null);
                    e.DeviceMajor = (int)st.RdevMajor;
                    e.DeviceMinor = (int)st.RdevMinor;
                    Write(e);
                    return true;
                }
            case FileStatus.Fifo:
                Write(NewEntry(TarEntryType.Fifo, archiveName, st, null));
                return true;
            default:
                return false; // sockets: Docker's archive skips them too
        }
    }

    private void WriteDirectoryEntry(SafeFileHandle dir, FileStatus st, string archiveName)
    {
        int fd = FdHandles.Fd(dir);
        Write(NewEntry(TarEntryType.Directory, archiveName + "/", st, Xattrs(fd)));
        if (_options.OverlayWhiteouts && Native.GetXattr(fd, OpaqueXattr) is [(byte)'y'])
        {
            var opq = NewEntry(TarEntryType.RegularFile, archiveName + "/.wh..wh..opq", st with { Mode = FileStatus.Regular }, null);
            Write(opq);
        }
    }

    private bool WriteRegular(SafeFileHandle parent, string name, string archiveName)
    {
        using var file = FdHandles.OpenChildForRead(parent, name);
        if (file is null) return false;
        // Stat the opened fd: that is the file whose bytes go into the archive.
        if (!Native.TryStatAt(FdHandles.Fd(file), "", out var st) || !st.IsRegular) return false;
        if (st.Nlink > 1)
        {
            var key = (st.DevMajor, st.DevMinor, st.Inode);
            if (_links.TryGetValue(key, out var first))
            {
                var link = NewEntry(TarEntryType.HardLink, archiveName, st, null);
                link.LinkName = first;
                Write(link);
                return true;
            }
            _links[key] = archiveName;
        }
        var e = NewEntry(TarEntryType.RegularFile, archiveName, st, Xattrs(FdHandles.Fd(file)));
        using var data = new WindowStream(file, st.Size);
        e.DataStream = data;
        Write(e);
        ContentSize += st.Size;
        return true;
    }

    private static string WhiteoutName(string archiveName, string whiteoutBase)
    {
        int slash = archiveName.LastIndexOf('/');
        return slash < 0 ? whiteoutBase : archiveName[..(slash + 1)] + whiteoutBase;
    }

    private static PaxTarEntry NewEntry(TarEntryType type, string name, FileStatus st, Dictionary<string, string>? pax)
    {
        var e = pax is null ? new PaxTarEntry(type, name) : new PaxTarEntry(type, name, pax);
        e.Mode = (UnixFileMode)st.Permissions;
        e.Uid = (int)st.Uid;
        e.Gid = (int)st.Gid;
        e.ModificationTime = st.ModificationTime;
        return e;
    }

    private static Dictionary<string, string>? Xattrs(int fd)
    {
        Dictionary<string, string>? result = null;
        foreach (var attr in Native.ListXattrs(fd))
        {
            if (attr != "security.capability" && !attr.StartsWith("user.", StringComparison.Ordinal)) continue;
            var value = Native.GetXattr(fd, attr);
            if (value is null) continue;
            string text;
            try { text = StrictUtf8.GetString(value); }
            catch (DecoderFallbackException) { continue; } // PAX records are UTF-8 in .NET's tar API; a binary value cannot round-trip
            (result ??= new(StringComparer.Ordinal))["SCHILY.xattr." + attr] = text;
        }
        return result;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private void Write(TarEntry entry)
    {
        _tar.WriteEntry(entry);
        _wroteEntry = true;
    }

    /// <summary>Ends the archive. TarWriter writes the two zero blocks only after an entry; an empty tree still gets
    /// them, so an empty diff is a valid 1024-byte tar (Docker's empty layer, diff ID sha256:5f70bf18…), not 0 bytes.</summary>
    public void Dispose()
    {
        _tar.Dispose();
        if (!_wroteEntry) _output.Write(new byte[1024]);
    }
}
