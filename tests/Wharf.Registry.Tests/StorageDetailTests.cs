namespace Wharf.Registry.Tests;

/// <summary>
/// The pieces behind the registry's throughput that a wrong change would break silently: Kestrel's large-block memory
/// pool (blocks handed out whole, reused, never twice) and the in-place blob link (created empty, mtime refreshed on
/// every link so the GC grace period counts from the last push or mount).
/// </summary>
public sealed class StorageDetailTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-registry-detail-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Pool_HandsOutWholeBlocks_AndReusesReturnedOnes()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
        var a = pool.Rent(100);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, a.Memory.Length);
        a.Memory.Span[0] = 42;
        a.Dispose();
        var b = pool.Rent();
        Assert.Same(a, b);
        b.Dispose();
    }

    [Fact]
    public void Pool_IgnoresASecondDispose_SoABlockIsNeverRentedTwice()
    {
        using var pool = new LargeBlockMemoryPool();
        var a = pool.Rent();
        a.Dispose();
        a.Dispose();
        var b = pool.Rent();
        var c = pool.Rent();
        Assert.NotSame(b, c);
    }

    [Fact]
    public void Pool_RefusesMoreThanABlock() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LargeBlockMemoryPool().Rent(LargeBlockMemoryPool.BlockSize + 1));

    [Fact]
    public void LinkBlob_CreatesAnEmptyLink_AndRefreshesItsMtime()
    {
        var storage = new RegistryStorage(_root);
        var d = storage.Content.Write("blob"u8).Digest;
        storage.LinkBlob("a/b", d);
        var link = Path.Combine(storage.RepoDir("a/b"), "_layers", d.Hex);
        Assert.Equal(0, new FileInfo(link).Length);
        Assert.True(storage.HasBlob("a/b", d));
        var old = DateTime.UtcNow.AddHours(-2);
        File.SetLastWriteTimeUtc(link, old);
        storage.LinkBlob("a/b", d);
        Assert.True(File.GetLastWriteTimeUtc(link) > old.AddHours(1));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.GetDirectoryName(link)!), f => f != link);
    }
}
