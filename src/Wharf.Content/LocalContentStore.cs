using Wharf.Core;
using Wharf.Oci;

namespace Wharf.Content;

/// <summary>
/// Content-addressed blobs on the local file system, under <c>&lt;root&gt;/blobs/sha256/&lt;hex&gt;</c>, with
/// in-progress writes under <c>&lt;root&gt;/ingest</c>. A blob file only ever appears by rename after it was
/// fsynced and verified, so a blob path that exists is always complete; a crash leaves at most a temp
/// file in ingest/, which <see cref="LocalContentStore(string)"/> removes, or a resumable download's kept bytes
/// (<c>ingest/&lt;hex&gt;.partial</c>), which are removed once older than <see cref="PartialMaxAge"/>.
/// Thread-safe: concurrent ingests of the same blob each write their own temp file and the renames are
/// idempotent (same content under the same name).
/// </summary>
public sealed class LocalContentStore : IContentStore
{
    private readonly string _blobs;
    private readonly string _ingest;

    /// <param name="root">Usually &lt;dataRoot&gt;/content.</param>
    public LocalContentStore(string root)
    {
        Root = Path.GetFullPath(root);
        _blobs = Path.Combine(Root, "blobs", Digest.Sha256);
        _ingest = Path.Combine(Root, "ingest");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_ingest);
        // Leftovers of writes interrupted by a crash: nothing refers to them, except a download's kept bytes,
        // which the next pull of that blob continues from while they are fresh.
        PruneIngest(PartialMaxAge, includeTemp: true);
    }

    /// <summary>How long the kept bytes of an interrupted download wait for a pull to resume them (containerd's
    /// ingests expire after a day too).</summary>
    public static readonly TimeSpan PartialMaxAge = TimeSpan.FromHours(24);

    private const string PartialSuffix = ".partial";

    /// <summary>
    /// Deletes kept partial downloads not written to for <paramref name="maxAge"/> (and, at start-up, every
    /// temp file of an interrupted ingest). A partial file a writer holds is only ever appended to, so its mtime
    /// is recent; one whose pull is gone for good ages out. Returns the bytes freed.
    /// </summary>
    public long PruneIngest(TimeSpan maxAge, bool includeTemp = false)
    {
        long freed = 0;
        var cutoff = DateTime.UtcNow - maxAge;
        foreach (var f in Directory.EnumerateFiles(_ingest))
        {
            var fi = new FileInfo(f);
            bool partial = f.EndsWith(PartialSuffix, StringComparison.Ordinal);
            if (partial ? fi.LastWriteTimeUtc >= cutoff : !includeTemp) continue;
            try
            {
                var size = fi.Length;
                File.Delete(f);
                freed += size;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return freed;
    }

    public string Root { get; }

    /// <summary>The directory holding committed blobs; fsync it before publishing a name that points at a new blob.</summary>
    public string BlobDirectory => _blobs;

    /// <summary>The file a committed blob lives in (for zero-copy readers such as save or the registry).</summary>
    public string BlobPath(Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return Path.Combine(_blobs, digest.Hex);
    }

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            throw WharfException.NotFound($"content digest {digest}: not found");
        }
    }

    public byte[] ReadAllBytes(Digest digest)
    {
        try
        {
            return File.ReadAllBytes(BlobPath(digest));
        }
        catch (FileNotFoundException)
        {
            throw WharfException.NotFound($"content digest {digest}: not found");
        }
    }

    public ContentInfo? Info(Digest digest)
    {
        var fi = new FileInfo(BlobPath(digest));
        return fi.Exists ? new ContentInfo(digest, fi.Length, fi.LastWriteTimeUtc) : null;
    }

    public IEnumerable<ContentInfo> Walk()
    {
        foreach (var path in Directory.EnumerateFiles(_blobs))
        {
            var name = Path.GetFileName(path);
            if (!Digest.IsFullHex(name)) continue;
            var fi = new FileInfo(path);
            if (fi.Exists) yield return new ContentInfo(Digest.FromHex(name), fi.Length, fi.LastWriteTimeUtc);
        }
    }

    public bool Delete(Digest digest)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    public ContentInfo Write(ReadOnlySpan<byte> data, Digest? expected = null)
    {
        var digest = Digest.FromBytes(data);
        if (expected is not null && expected != digest)
            throw new WharfException(ErrorKind.FailedPrecondition, $"unexpected commit digest {digest}, expected {expected}: failed precondition");
        var existing = Info(digest);
        if (existing is not null) return existing;
        var tmp = NewTempPath();
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(data);
                fs.Flush(flushToDisk: true);
            }
            return Commit(tmp, digest, data.Length);
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    public ContentInfo Ingest(Stream data, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        using var writer = OpenWriter();
        return Ingest(writer, data, expected, expectedSize, cancellationToken);
    }

    /// <summary>Copies <paramref name="data"/> into <paramref name="writer"/> after what it already holds (a
    /// resumed download's kept bytes), checks the total size and commits against <paramref name="expected"/>.</summary>
    public static ContentInfo Ingest(ContentWriter writer, Stream data, Digest? expected = null, long? expectedSize = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(data);
        // One write-hash-verify-commit path for pulled, loaded and imported content: ContentWriter's.
        var buf = new byte[1 << 16];
        int n;
        while ((n = data.Read(buf, 0, buf.Length)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.Write(buf.AsSpan(0, n));
            if (expectedSize is { } max && writer.Size > max)
            {
                writer.Discard();
                throw new WharfException(ErrorKind.FailedPrecondition, $"unexpected commit size {writer.Size}, expected {max}: failed precondition");
            }
        }
        if (expectedSize is { } want && writer.Size != want)
        {
            writer.Discard();
            throw new WharfException(ErrorKind.FailedPrecondition, $"unexpected commit size {writer.Size}, expected {want}: failed precondition");
        }
        return writer.Commit(expected);
    }

    /// <summary>Starts a push-style ingest (see <see cref="ContentWriter"/>).</summary>
    public ContentWriter OpenWriter() => new(this, NewTempPath());

    /// <summary>
    /// A writer for a download of <paramref name="digest"/> that keeps its bytes when it is not committed (crash,
    /// dropped connection), in <c>ingest/&lt;hex&gt;.partial</c>; <see cref="ContentWriter.KeptBytes"/> says what an
    /// earlier attempt left. When another writer holds that file (a concurrent pull of the same blob), a plain
    /// temp writer is returned instead.
    /// </summary>
    public ContentWriter OpenResumable(Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        try
        {
            return new ContentWriter(this, Path.Combine(_ingest, digest.Hex + PartialSuffix), resumable: true);
        }
        catch (IOException)
        {
            return OpenWriter();
        }
    }

    internal ContentInfo CommitTemp(string tmp, Digest digest, long size) => Commit(tmp, digest, size);

    /// <summary>
    /// Moves a file the caller has already hashed (the registry hashes an upload while it arrives) into the store
    /// under <paramref name="digest"/>: fsync, then atomic rename. The file must be on the store's file system. A
    /// blob that already exists is kept and the file is deleted; its mtime is refreshed so a garbage collector's
    /// grace period counts from this commit.
    /// </summary>
    public ContentInfo Adopt(string file, Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var size = new FileInfo(file).Length;
        var target = BlobPath(digest);
        if (File.Exists(target))
        {
            // Already stored: no fsync of a copy that is about to be deleted.
            TryDelete(file);
            try { File.SetLastWriteTimeUtc(target, DateTime.UtcNow); } catch (IOException) { }
            return new ContentInfo(digest, size, File.GetLastWriteTimeUtc(target));
        }
        using (var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            fs.Flush(flushToDisk: true);
        return Commit(file, digest, size);
    }

    private ContentInfo Commit(string tmp, Digest digest, long size)
    {
        var target = BlobPath(digest);
        if (!File.Exists(target))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            // Overwriting a concurrent writer's identical blob is harmless; rename is atomic either way.
            File.Move(tmp, target, overwrite: true);
            // The directory fsync that makes this rename durable needs a native call, which this project
            // may not make (it does not reference Wharf.Interop): callers that write names pointing at
            // blobs fsync BlobDirectory first (ImageStore does).
        }
        return new ContentInfo(digest, size, File.GetLastWriteTimeUtc(target));
    }

    private string NewTempPath() => Path.Combine(_ingest, Guid.NewGuid().ToString("N"));

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
