using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Wharf.Content;
using Wharf.Interop;
using Wharf.Oci;

namespace Wharf.Registry;

/// <summary>
/// The registry's files. Blobs (layers, configs and manifests alike) live once in a <see cref="LocalContentStore"/>
/// under <c>&lt;root&gt;/content</c>; a repository sees a blob only through a link file, as distribution's storage
/// does, so a blob pushed to one repository is not readable from another until it is pushed or mounted there:
/// <code>
/// repositories/&lt;name&gt;/_layers/&lt;hex&gt;                  blob link (empty)
/// repositories/&lt;name&gt;/_manifests/revisions/&lt;hex&gt;      manifest link (holds its media type)
/// repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;          tag (holds the manifest digest)
/// repositories/&lt;name&gt;/_referrers/&lt;subject-hex&gt;/&lt;hex&gt; referrer descriptor (JSON)
/// repositories/&lt;name&gt;/_uploads/&lt;uuid&gt;                upload in progress (its bytes so far)
/// </code>
/// Name components cannot start with '_', so these never collide with nested repository names. Every file that
/// names something is written to a temp file, fsynced and renamed into place.
/// </summary>
public sealed partial class RegistryStorage
{
    private readonly ConcurrentDictionary<string, UploadState> _uploads = new(StringComparer.Ordinal);

    public RegistryStorage(string root)
    {
        Root = Path.GetFullPath(root);
        Content = new LocalContentStore(Path.Combine(Root, "content"));
        Repositories = Path.Combine(Root, "repositories");
        Directory.CreateDirectory(Repositories);
    }

    public string Root { get; }

    public LocalContentStore Content { get; }

    public string Repositories { get; }

    /// <summary>Held shared by anything that links or references blobs, exclusively by the garbage collector, so
    /// a collection never sweeps a blob between a manifest's reference check and its commit.</summary>
    public ReaderWriterLockSlim GcLock { get; } = new(LockRecursionPolicy.NoRecursion);

    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagRegex();

    public static bool IsValidName(string name) => name.Length <= 255 && NameRegex().IsMatch(name);

    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);

    public string RepoDir(string name) => Path.Combine(Repositories, name);

    public bool RepositoryExists(string name) => Directory.Exists(Path.Combine(RepoDir(name), "_layers")) || Directory.Exists(Path.Combine(RepoDir(name), "_manifests"));

    /// <summary>Every repository name (directories that hold a _layers or _manifests dir).</summary>
    public IEnumerable<string> RepositoryNames()
    {
        foreach (var dir in Directory.EnumerateDirectories(Repositories, "*", SearchOption.AllDirectories))
        {
            var leaf = Path.GetFileName(dir);
            if (leaf.StartsWith('_')) continue;
            if (Directory.Exists(Path.Combine(dir, "_layers")) || Directory.Exists(Path.Combine(dir, "_manifests")))
                yield return Path.GetRelativePath(Repositories, dir).Replace('\\', '/');
        }
    }

    // ---- blobs ----

    private string LayerLink(string name, Digest d) => Path.Combine(RepoDir(name), "_layers", d.Hex);

    /// <summary>True when the blob exists and is linked into the repository.</summary>
    public bool HasBlob(string name, Digest d) => File.Exists(LayerLink(name, d)) && Content.Exists(d);

    /// <summary>Links a committed blob into a repository (mtime refreshed: the GC grace counts from the last link).</summary>
    /// <remarks>
    /// The link is an empty file, so it is created in place: there is no content that a crash could tear, hence no
    /// temp file, rename or fsync (an fsync of the file would not make its directory entry durable anyway; see
    /// docs/registry.md, "Durability").
    /// </remarks>
    public void LinkBlob(string name, Digest d)
    {
        var link = LayerLink(name, d);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.OpenHandle(link, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite).Dispose();
        File.SetLastWriteTimeUtc(link, DateTime.UtcNow);
    }

    public bool UnlinkBlob(string name, Digest d)
    {
        var link = LayerLink(name, d);
        if (!File.Exists(link)) return false;
        File.Delete(link);
        return true;
    }

    /// <summary>Ingests a whole blob (monolithic POST) verified against <paramref name="expected"/>.</summary>
    public async Task<ContentInfo> PutBlobAsync(string name, PipeReader body, Digest expected, CancellationToken ct)
    {
        // Buffer to a temp upload first so the content store's synchronous ingest never blocks on the network.
        var id = StartUpload(name);
        try
        {
            await AppendUploadAsync(name, id, body, null, ct).ConfigureAwait(false);
            return FinishUpload(name, id, expected);
        }
        finally
        {
            CancelUpload(name, id);
        }
    }

    // ---- uploads ----

    private sealed class UploadState
    {
        public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public long Hashed { get; set; }
        public SemaphoreSlim Lock { get; } = new(1, 1);
    }

    private string UploadPath(string name, string id) => Path.Combine(RepoDir(name), "_uploads", id);

    public static bool IsValidUploadId(string id) => Guid.TryParseExact(id, "N", out _);

    public string StartUpload(string name)
    {
        var id = Guid.NewGuid().ToString("N");
        var path = UploadPath(name, id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Create(path).Dispose();
        _uploads[id] = new UploadState();
        return id;
    }

    /// <summary>Bytes received so far, or null when the upload is unknown.</summary>
    public long? UploadSize(string name, string id)
    {
        if (!IsValidUploadId(id)) return null;
        var fi = new FileInfo(UploadPath(name, id));
        return fi.Exists ? fi.Length : null;
    }

    /// <summary>All uploads in progress with their last write time (the GC keeps their repositories' blobs alone).</summary>
    public IEnumerable<(string Path, DateTime LastWrite)> Uploads()
    {
        foreach (var name in RepositoryNamesWithUploads())
        {
            foreach (var f in Directory.EnumerateFiles(Path.Combine(RepoDir(name), "_uploads")))
                yield return (f, File.GetLastWriteTimeUtc(f));
        }
    }

    private IEnumerable<string> RepositoryNamesWithUploads()
    {
        foreach (var dir in Directory.EnumerateDirectories(Repositories, "_uploads", SearchOption.AllDirectories))
            yield return Path.GetRelativePath(Repositories, Path.GetDirectoryName(dir)!).Replace('\\', '/');
    }

    /// <summary>
    /// Every this many bytes an upload starts the disk writeback of what it wrote, so the fsync before the commit
    /// (<see cref="LocalContentStore.Adopt"/>) finds most of the blob on disk already instead of writing all of it while
    /// the client waits for its 201.
    /// </summary>
    private const long WritebackChunk = 1 << 20;

    /// <summary>
    /// Appends a chunk. When <paramref name="start"/> is given it must equal the bytes received so far
    /// (RANGE_INVALID otherwise), as distribution enforces chunk order. Returns the new size.
    /// </summary>
    public async Task<long> AppendUploadAsync(string name, string id, PipeReader body, long? start, CancellationToken ct)
    {
        var path = UploadPath(name, id);
        if (!IsValidUploadId(id) || !File.Exists(path)) throw RegistryError.UploadUnknown();
        var state = _uploads.GetOrAdd(id, _ => new UploadState());
        await state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            var size = RandomAccess.GetLength(file);
            if (start is { } s && s != size)
                throw new RegistryError("RANGE_INVALID", "invalid content range", $"chunk starts at {s}, upload has {size} bytes");
            // The in-memory hash only follows an upload that this process received from its first byte.
            var hashing = state.Hashed == size;
            // Bytes written but not yet handed to the disk's writeback (see WritebackChunk).
            var writebackFrom = size;
            var segments = new List<ReadOnlyMemory<byte>>();
            try
            {
                while (true)
                {
                    // Straight from Kestrel's request pipe to the file (pwritev), 256 KiB or more at a time: no
                    // intermediate buffer, and the hash reads the same memory.
                    var result = await body.ReadAtLeastAsync(256 << 10, ct).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    if (!buffer.IsEmpty)
                    {
                        segments.Clear();
                        foreach (var m in buffer) segments.Add(m);
                        RandomAccess.Write(file, segments, size);
                        if (hashing) foreach (var m in buffer) state.Hash.AppendData(m.Span);
                        size += buffer.Length;
                        if (size - writebackFrom >= WritebackChunk)
                        {
                            FileWriteback.Start(file, writebackFrom, size - writebackFrom);
                            writebackFrom = size;
                        }
                    }
                    body.AdvanceTo(buffer.End);
                    if (result.IsCompleted || result.IsCanceled) break;
                }
            }
            catch
            {
                // Bytes may be on disk that the hash has not seen: the closing PUT re-reads the file instead.
                state.Hashed = -1;
                throw;
            }
            if (hashing) state.Hashed = size;
            return size;
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>
    /// Verifies the upload's bytes against <paramref name="expected"/> and commits them as a blob linked into the
    /// repository. On a mismatch nothing is committed (DIGEST_INVALID) and the upload is removed, as distribution does.
    /// </summary>
    public ContentInfo FinishUpload(string name, string id, Digest expected)
    {
        var path = UploadPath(name, id);
        if (!File.Exists(path)) throw RegistryError.UploadUnknown();
        var size = new FileInfo(path).Length;
        Digest actual;
        if (_uploads.TryGetValue(id, out var state) && state.Hashed == size)
        {
            actual = Digest.FromHash(state.Hash);
        }
        else
        {
            using var fs = File.OpenRead(path);
            actual = Digest.FromStream(fs);
        }
        if (actual != expected)
        {
            CancelUpload(name, id);
            throw RegistryError.DigestInvalid($"digest {expected} does not match the uploaded content ({actual})");
        }
        GcLock.EnterReadLock();
        try
        {
            var info = Content.Adopt(path, actual);
            LinkBlob(name, actual);
            return info;
        }
        finally
        {
            GcLock.ExitReadLock();
            ForgetUpload(id);
        }
    }

    public bool CancelUpload(string name, string id)
    {
        ForgetUpload(id);
        var path = UploadPath(name, id);
        if (!IsValidUploadId(id) || !File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    private void ForgetUpload(string id)
    {
        if (_uploads.TryRemove(id, out var s)) s.Hash.Dispose();
    }

    // ---- manifests, tags, referrers ----

    private string RevisionPath(string name, Digest d) => Path.Combine(RepoDir(name), "_manifests", "revisions", d.Hex);

    private string TagPath(string name, string tag) => Path.Combine(RepoDir(name), "_manifests", "tags", tag);

    private string ReferrerDir(string name, Digest subject) => Path.Combine(RepoDir(name), "_referrers", subject.Hex);

    public bool HasManifest(string name, Digest d) => File.Exists(RevisionPath(name, d)) && Content.Exists(d);

    /// <summary>The manifest's media type as stored at push, or null when the repository has no such manifest.</summary>
    public string? ManifestMediaType(string name, Digest d)
    {
        try
        {
            return HasManifest(name, d) ? File.ReadAllText(RevisionPath(name, d)) : null;
        }
        catch (FileNotFoundException) { return null; }
    }

    public Digest? ResolveTag(string name, string tag)
    {
        try
        {
            return Digest.TryParse(File.ReadAllText(TagPath(name, tag)).Trim(), out var d) ? d : null;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>Stores a validated manifest: blob, revision link, optional tag, optional referrer entry.</summary>
    public void PutManifest(string name, Digest digest, byte[] bytes, string mediaType, string? tag, Digest? subject, byte[]? referrerDescriptor)
    {
        Content.Write(bytes, digest);
        var rev = RevisionPath(name, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(rev)!);
        WriteAtomic(rev, Encoding.UTF8.GetBytes(mediaType));
        if (subject is not null && referrerDescriptor is not null)
        {
            var dir = ReferrerDir(name, subject);
            Directory.CreateDirectory(dir);
            WriteAtomic(Path.Combine(dir, digest.Hex), referrerDescriptor);
        }
        if (tag is not null)
        {
            var t = TagPath(name, tag);
            Directory.CreateDirectory(Path.GetDirectoryName(t)!);
            WriteAtomic(t, Encoding.UTF8.GetBytes(digest.ToString()));
        }
    }

    public IReadOnlyList<string> Tags(string name)
    {
        var dir = Path.Combine(RepoDir(name), "_manifests", "tags");
        if (!Directory.Exists(dir)) return [];
        var tags = Directory.EnumerateFiles(dir).Select(Path.GetFileName).Where(t => t is not null && IsValidTag(t)).Select(t => t!).ToList();
        tags.Sort(StringComparer.Ordinal);
        return tags;
    }

    public bool DeleteTag(string name, string tag)
    {
        var t = TagPath(name, tag);
        if (!File.Exists(t)) return false;
        File.Delete(t);
        return true;
    }

    /// <summary>Deletes a manifest revision, the tags that point at it and its referrer entry.</summary>
    public bool DeleteManifest(string name, Digest digest, Digest? subject)
    {
        var rev = RevisionPath(name, digest);
        if (!File.Exists(rev)) return false;
        foreach (var tag in Tags(name))
            if (ResolveTag(name, tag) == digest) DeleteTag(name, tag);
        if (subject is not null)
        {
            var entry = Path.Combine(ReferrerDir(name, subject), digest.Hex);
            if (File.Exists(entry)) File.Delete(entry);
        }
        File.Delete(rev);
        return true;
    }

    /// <summary>The stored referrer descriptors (JSON) of a subject.</summary>
    public IEnumerable<byte[]> Referrers(string name, Digest subject)
    {
        var dir = ReferrerDir(name, subject);
        if (!Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            if (!Digest.IsFullHex(Path.GetFileName(f))) continue;
            if (!HasManifest(name, Digest.FromHex(Path.GetFileName(f)))) continue;
            byte[] bytes;
            try { bytes = File.ReadAllBytes(f); } catch (FileNotFoundException) { continue; }
            yield return bytes;
        }
    }

    /// <summary>Every manifest revision of a repository.</summary>
    public IEnumerable<Digest> Revisions(string name)
    {
        var dir = Path.Combine(RepoDir(name), "_manifests", "revisions");
        if (!Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var hex = Path.GetFileName(f);
            if (Digest.IsFullHex(hex)) yield return Digest.FromHex(hex);
        }
    }

    /// <summary>Every blob link of a repository with its last write time.</summary>
    public IEnumerable<(Digest Digest, DateTime LastWrite)> BlobLinks(string name)
    {
        var dir = Path.Combine(RepoDir(name), "_layers");
        if (!Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var hex = Path.GetFileName(f);
            if (Digest.IsFullHex(hex)) yield return (Digest.FromHex(hex), File.GetLastWriteTimeUtc(f));
        }
    }

    /// <summary>temp + fsync + rename, so a name file is either absent or whole.</summary>
    internal static void WriteAtomic(string path, ReadOnlySpan<byte> data)
    {
        // '#' is in no tag or digest, so a temp file is never listed as one.
        var tmp = path + "#" + Guid.NewGuid().ToString("N");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(data);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
