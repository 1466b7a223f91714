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

    public string Root { get; }

    public static BuildContext Extract(Stream body, string tempParent, CancellationToken ct = default)
    {
        Directory.CreateDirectory(tempParent);
        var root = Path.Combine(tempParent, "ctx-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var context = new BuildContext(root);
        try
        {
            using var input = Decompress(body);
            using var reader = new TarReader(input, leaveOpen: true);
            while (NextEntry(reader) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
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
        Directory.CreateDirectory(tempParent);
        var root = Path.Combine(tempParent, "ctx-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "Dockerfile"), dockerfile);
        return new BuildContext(root);
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
