using Wharf.Oci;

namespace Wharf.Registry;

/// <summary>What one collection found and did.</summary>
public sealed record GcResult(int Blobs, int Marked, IReadOnlyList<Digest> Swept, long BytesFreed, bool DryRun, int UploadsPurged = 0);

/// <summary>
/// Mark and sweep over the registry's blobs. Roots are every manifest revision of every repository; from each the
/// collector marks the manifest itself, its config and layers, the children of an index and its subject. Unmarked
/// blobs are swept unless they, or a repository link to them, were written within the grace period: an upload just
/// committed or a blob just mounted belongs to a push whose manifest has not arrived yet. Uploads in progress are
/// separate files and never blobs, so they are never touched. In the serving process the collection holds
/// <see cref="RegistryStorage.GcLock"/> exclusively, so no manifest commits between mark and sweep; a separate
/// <c>wharf registry gc</c> process relies on the grace period alone.
/// </summary>
public static class GarbageCollector
{
    /// <summary>An upload untouched this long is abandoned and its file removed (distribution's purge age, 168 h).</summary>
    public static readonly TimeSpan UploadMaxAge = TimeSpan.FromDays(7);

    public static GcResult Collect(RegistryStorage storage, TimeSpan grace, bool dryRun, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        storage.GcLock.EnterWriteLock();
        try
        {
            var cutoff = DateTime.UtcNow - grace;
            var marked = new HashSet<Digest>();
            var newestLink = new Dictionary<Digest, DateTime>();
            var linksOf = new Dictionary<Digest, List<string>>();
            foreach (var repo in storage.RepositoryNames().ToList())
            {
                foreach (var rev in storage.Revisions(repo))
                {
                    marked.Add(rev);
                    byte[] bytes;
                    try { bytes = storage.Content.ReadAllBytes(rev); }
                    catch (Wharf.Core.WharfException) { continue; }
                    try
                    {
                        var info = ManifestInfo.Parse(bytes, storage.ManifestMediaType(repo, rev));
                        foreach (var r in info.References) marked.Add(r.Digest);
                        if (info.Subject is not null) marked.Add(info.Subject);
                    }
                    catch (RegistryError ex)
                    {
                        log?.Invoke($"gc: {repo}@{rev}: {ex.Detail ?? ex.Message}; its references are kept unmarked");
                    }
                }
                foreach (var (d, t) in storage.BlobLinks(repo))
                {
                    if (!newestLink.TryGetValue(d, out var prev) || t > prev) newestLink[d] = t;
                    if (!linksOf.TryGetValue(d, out var l)) linksOf[d] = l = [];
                    l.Add(repo);
                }
            }
            var swept = new List<Digest>();
            long freed = 0;
            var blobs = 0;
            foreach (var blob in storage.Content.Walk().ToList())
            {
                blobs++;
                if (marked.Contains(blob.Digest)) continue;
                if (blob.CreatedAt.UtcDateTime > cutoff) continue;
                if (newestLink.TryGetValue(blob.Digest, out var lt) && lt > cutoff) continue;
                swept.Add(blob.Digest);
                freed += blob.Size;
                log?.Invoke($"gc: {(dryRun ? "would delete" : "deleting")} {blob.Digest} ({blob.Size} bytes)");
                if (dryRun) continue;
                if (linksOf.TryGetValue(blob.Digest, out var repos))
                    foreach (var repo in repos) storage.UnlinkBlob(repo, blob.Digest);
                storage.Content.Delete(blob.Digest);
            }
            var purged = 0;
            foreach (var (path, lastWrite) in storage.Uploads().ToList())
            {
                if (lastWrite > DateTime.UtcNow - UploadMaxAge) continue;
                purged++;
                log?.Invoke($"gc: {(dryRun ? "would remove" : "removing")} abandoned upload {path}");
                if (!dryRun) File.Delete(path);
            }
            return new GcResult(blobs, marked.Count, swept, freed, dryRun, purged);
        }
        finally
        {
            storage.GcLock.ExitWriteLock();
        }
    }
}
