using System.Formats.Tar;
using System.IO.Compression;
using Wharf.Core;

namespace Wharf.Build.Context;

/// <summary>
/// The build context unpacked into a private directory. Entries that would land outside it ("../", absolute
/// names, hard links out) are refused; symlinks are kept as they are, and every later lookup goes through
/// <see cref="RootPath"/>, so a link to /etc/shadow resolves to the context's own (missing) etc/shadow.
/// Files the .dockerignore leaves out are not written.
/// </summary>
public sealed class BuildContext : IDisposable
{
    private BuildContext(string root) => Root = root;

    public string Root { get; private set; }

    /// <summary>Unpacks into <paramref name="tempParent"/>.</summary>
    public static BuildContext Extract(Stream body, string tempParent, CancellationToken ct = default) =>
        Extract(body, new ContextSpool(null, tempParent, 0), ct);

    /// <summary>
    /// Unpacks into the spool's fast directory (tmpfs) while the files written stay under its limit, and moves to
    /// its disk directory once they do not: creating a few hundred small files costs tens of milliseconds on a
    /// journaling filesystem and next to nothing in memory, and a cached build does little else.
    /// </summary>
    public static BuildContext Extract(Stream body, ContextSpool spool, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spool);
        var onFast = spool.FastParent is not null;
        var context = new BuildContext(NewRoot(onFast ? spool.FastParent! : spool.DiskParent));
        long written = 0;
        try
        {
            using var input = Decompress(body);
            using var reader = new TarReader(input, leaveOpen: true);
            while (NextEntry(reader) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                if (onFast && (written += Math.Max(entry.Length, 0)) > spool.FastLimit)
                {
                    context.MoveTo(NewRoot(spool.DiskParent));
                    onFast = false;
                }
                context.Write(entry);
            }
            return context;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            context.Dispose();
            throw WharfException.Invalid("failed to read the build context: " + e.Message);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>An empty context (`docker build - &lt; Dockerfile` sends only a Dockerfile).</summary>
    public static BuildContext FromDockerfile(byte[] dockerfile, string tempParent)
    {
        var root = NewRoot(tempParent);
        File.WriteAllBytes(Path.Combine(root, "Dockerfile"), dockerfile);
        return new BuildContext(root);
    }

    private static string NewRoot(string parent)
    {
        Directory.CreateDirectory(parent);
        var root = Path.Combine(parent, "ctx-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>Copies what is unpacked so far to <paramref name="newRoot"/> (links as links, modes and times kept)
    /// and drops the old tree.</summary>
    private void MoveTo(string newRoot)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(Root, "*", new EnumerationOptions
                 { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var target = Path.Combine(newRoot, RootPath.Relative(Root, path));
            var info = new FileInfo(path);
            if (info.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (Directory.Exists(path)) Directory.CreateDirectory(target);
            else
            {
                File.Copy(path, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(path));
                File.SetLastWriteTimeUtc(target, info.LastWriteTimeUtc);
            }
        }
        var old = Root;
        Root = newRoot;
        try { Directory.Delete(old, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>The docker CLI's `-f -` context (its tar rewrapper) ends without the two zero blocks of a tar
    /// trailer; an end of stream where a header would start is the end of the archive, as Go's reader takes it.</summary>
    private static TarEntry? NextEntry(TarReader reader)
    {
        try { return reader.GetNextEntry(); }
        catch (EndOfStreamException) { return null; }
    }

    private static Stream Decompress(Stream body)
    {
        var buffered = new BufferedStream(body, 65536);
        var head = new byte[2];
        // Peek the magic without consuming: BufferedStream cannot unread, so read into a prefix stream.
        var n = buffered.Read(head, 0, 2);
        var prefixed = new PrefixStream(head.AsMemory(0, n).ToArray(), buffered);
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(prefixed, CompressionMode.Decompress) : prefixed;
    }

    private void Write(TarEntry entry)
    {
        var name = DockerIgnore.Clean(entry.Name);
        if (entry.Name.Split('/').Contains("..") || entry.Name.StartsWith('/'))
            throw WharfException.Invalid($"invalid build context entry: {entry.Name}");
        if (name.Length == 0) return;
        var parent = Path.GetDirectoryName(name) ?? "";
        // Parents are resolved in-root: an earlier symlink entry cannot redirect a later write outside.
        var parentPath = RootPath.Resolve(Root, parent);
        Directory.CreateDirectory(parentPath);
        var target = Path.Combine(parentPath, Path.GetFileName(name));
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!Directory.Exists(target)) Directory.CreateDirectory(target);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                DeleteIfLink(target);
                using (var f = File.Create(target))
                    entry.DataStream?.CopyTo(f);
                File.SetUnixFileMode(target, (UnixFileMode)((int)entry.Mode & 0xFFF));
                File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                break;
            case TarEntryType.SymbolicLink:
                DeleteIfLink(target);
                if (!File.Exists(target) && !Directory.Exists(target)) File.CreateSymbolicLink(target, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                var source = RootPath.Resolve(Root, DockerIgnore.Clean(entry.LinkName));
                if (File.Exists(source)) { DeleteIfLink(target); File.Copy(source, target, overwrite: true); }
                break;
            default:
                break; // devices and fifos have no place in a build context
        }
    }

    private static void DeleteIfLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) info.Delete();
    }

    /// <summary>Removes what .dockerignore excludes (the walk sees every path, so exceptions inside an ignored
    /// directory survive).</summary>
    public void Prune(Func<string, bool> ignore)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(Root, "*", new EnumerationOptions
                 { RecurseSubdirectories = true, AttributesToSkip = 0 }).OrderByDescending(p => p.Length).ToList())
        {
            var rel = RootPath.Relative(Root, path);
            if (!ignore(rel)) continue;
            var info = new FileInfo(path);
            if (info.LinkTarget is null && Directory.Exists(path))
            {
                if (!Directory.EnumerateFileSystemEntries(path).Any()) Directory.Delete(path);
            }
            else info.Delete();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Where contexts are unpacked: <paramref name="FastParent"/> (a tmpfs directory, or null for none) for contexts
/// whose files total at most <paramref name="FastLimit"/> bytes, <paramref name="DiskParent"/> for the rest.</summary>
public sealed record ContextSpool(string? FastParent, string DiskParent, long FastLimit);
