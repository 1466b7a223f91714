using Wharf.Content;
using Wharf.Core;
using Wharf.Oci;

namespace Wharf.Unit.Tests.Content;

public sealed class LocalContentStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-content-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Ingest_verifies_and_commits_by_rename()
    {
        var store = new LocalContentStore(_root);
        var data = new byte[300_000];
        new Random(1).NextBytes(data);
        var expected = Digest.FromBytes(data);
        var info = store.Ingest(new MemoryStream(data), expected, data.Length);
        Assert.Equal(expected, info.Digest);
        Assert.Equal(data.Length, info.Size);
        Assert.True(store.Exists(expected));
        Assert.Equal(data, store.ReadAllBytes(expected));
        Assert.Equal(Path.Combine(_root, "blobs", "sha256", expected.Hex), store.BlobPath(expected));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "ingest")));
        // Ingesting an existing blob again is fine.
        Assert.Equal(expected, store.Ingest(new MemoryStream(data)).Digest);
        Assert.Single(store.Walk());
        Assert.Equal(data.Length, store.Info(expected)!.Size);
    }

    [Fact]
    public void Wrong_digest_or_size_fails_and_leaves_nothing()
    {
        var store = new LocalContentStore(_root);
        var wrong = Digest.FromBytes("other"u8);
        var e = Assert.Throws<WharfException>(() => store.Ingest(new MemoryStream("data"u8.ToArray()), wrong));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        e = Assert.Throws<WharfException>(() => store.Ingest(new MemoryStream("data"u8.ToArray()), expectedSize: 3));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        e = Assert.Throws<WharfException>(() => store.Ingest(new MemoryStream("data"u8.ToArray()), expectedSize: 5));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        Assert.Throws<WharfException>(() => store.Write("data"u8, wrong));
        Assert.Empty(store.Walk());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "ingest")));
    }

    [Fact]
    public void Read_delete_and_crash_leftovers()
    {
        var store = new LocalContentStore(_root);
        var info = store.Write("{}"u8);
        Assert.Equal("{}"u8.ToArray(), store.ReadAllBytes(info.Digest));
        using (var s = store.OpenRead(info.Digest)) Assert.Equal(2, s.Length);
        Assert.True(store.Delete(info.Digest));
        Assert.False(store.Delete(info.Digest));
        Assert.Null(store.Info(info.Digest));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => store.OpenRead(info.Digest)).Kind);

        // A temp file left by a killed ingest disappears on the next start.
        File.WriteAllText(Path.Combine(_root, "ingest", "leftover"), "x");
        _ = new LocalContentStore(_root);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "ingest")));
    }

    [Fact]
    public void A_resumable_writer_keeps_its_bytes_until_committed_and_the_next_one_continues()
    {
        var store = new LocalContentStore(_root);
        var data = new byte[200_000];
        new Random(2).NextBytes(data);
        var digest = Digest.FromBytes(data);
        var partial = Path.Combine(_root, "ingest", digest.Hex + ".partial");
        using (var first = store.OpenResumable(digest))
        {
            Assert.Equal(0, first.KeptBytes);
            first.Write(data.AsSpan(0, 70_000));
            // A second pull of the same blob meanwhile writes a private temp file.
            using var concurrent = store.OpenResumable(digest);
            Assert.Equal(0, concurrent.KeptBytes);
        }
        Assert.Equal(70_000, new FileInfo(partial).Length);

        // The kept bytes survive a restart of the store (a young partial is not a crash leftover).
        store = new LocalContentStore(_root);
        using (var second = store.OpenResumable(digest))
        {
            Assert.Equal(70_000, second.KeptBytes);
            Assert.Throws<InvalidOperationException>(() => second.Write(data.AsSpan(0, 1)));
            var teed = new MemoryStream();
            second.ResumeKept(chunk => teed.Write(chunk));
            Assert.Equal(data[..70_000], teed.ToArray());
            LocalContentStore.Ingest(second, new MemoryStream(data[70_000..]), digest, data.Length);
        }
        Assert.Equal(data, store.ReadAllBytes(digest));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void A_kept_prefix_that_hashes_wrong_is_dropped_and_old_partials_age_out()
    {
        var store = new LocalContentStore(_root);
        var data = "the real blob content"u8.ToArray();
        var digest = Digest.FromBytes(data);
        var partial = Path.Combine(_root, "ingest", digest.Hex + ".partial");
        File.WriteAllText(partial, "XXX");
        using (var writer = store.OpenResumable(digest))
        {
            writer.ResumeKept();
            var e = Assert.Throws<WharfException>(() => LocalContentStore.Ingest(writer, new MemoryStream(data[3..]), digest, data.Length));
            Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        }
        Assert.False(File.Exists(partial));
        Assert.False(store.Exists(digest));

        File.WriteAllText(partial, "the real");
        Assert.Equal(0, store.PruneIngest(TimeSpan.FromHours(1)));
        File.SetLastWriteTimeUtc(partial, DateTime.UtcNow - LocalContentStore.PartialMaxAge - TimeSpan.FromMinutes(1));
        _ = new LocalContentStore(_root);
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void Adopt_moves_a_hashed_file_into_place_and_refreshes_an_existing_blob()
    {
        var store = new LocalContentStore(_root);
        var data = "adopted"u8.ToArray();
        var d = Digest.FromBytes(data);
        var file = Path.Combine(_root, "upload-1");
        File.WriteAllBytes(file, data);
        var info = store.Adopt(file, d);
        Assert.Equal(data.Length, info.Size);
        Assert.False(File.Exists(file));
        Assert.Equal(data, store.ReadAllBytes(d));

        // Same content again: the new file goes, the blob stays and its mtime restarts a GC grace period.
        File.SetLastWriteTimeUtc(store.BlobPath(d), DateTime.UtcNow.AddDays(-3));
        File.WriteAllBytes(file, data);
        store.Adopt(file, d);
        Assert.False(File.Exists(file));
        Assert.True(store.Info(d)!.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));
    }
}
