using System.Security.Cryptography;
using Wharf.Core;
using Wharf.Oci;

namespace Wharf.Content;

/// <summary>
/// A push-style ingest into <see cref="LocalContentStore"/>: bytes are written (and hashed) as they pass by, e.g.
/// while the same bytes are being unpacked, so a layer is stored and extracted in one pass. Nothing is visible
/// until <see cref="Commit"/>, which verifies the digest; disposing an uncommitted writer deletes its temp file.
/// Not thread-safe.
/// </summary>
public sealed class ContentWriter : IDisposable
{
    private readonly LocalContentStore _store;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly string _tempPath;
    private FileStream? _file;
    private Digest? _digest;
    private Task? _sync;

    internal ContentWriter(LocalContentStore store, string tempPath)
    {
        _store = store;
        _tempPath = tempPath;
        _file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    /// <summary>Bytes written so far.</summary>
    public long Size { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_file is null || _digest is not null) throw new InvalidOperationException("the content writer is closed");
        _hash.AppendData(data);
        _file.Write(data);
        Size += data.Length;
    }

    /// <summary>The sha256 of everything written; ends writing (further writes throw).</summary>
    public Digest Digest => _digest ??= Digest.FromHash(_hash);

    /// <summary>All bytes are written: starts the fsync in the background, so it overlaps whatever the caller does
    /// next (unpacking the next layer) instead of stalling it; <see cref="Commit"/> waits for it.</summary>
    public void BeginSync()
    {
        if (_file is null || _sync is not null) return;
        _ = Digest; // no more writes
        _file.Flush();
        var file = _file;
        _sync = Task.Run(() => file.Flush(flushToDisk: true));
    }

    /// <summary>Reads back what was written so far (e.g. a blob that turned out to be a config, not a layer).</summary>
    public byte[] ReadBack()
    {
        if (_file is null) throw new InvalidOperationException("the content writer is closed");
        _sync?.GetAwaiter().GetResult();
        _file.Flush();
        var bytes = new byte[Size];
        _file.Seek(0, SeekOrigin.Begin);
        _file.ReadExactly(bytes);
        _file.Seek(0, SeekOrigin.End);
        return bytes;
    }

    /// <summary>Fsyncs and publishes the blob. FailedPrecondition when <paramref name="expected"/> differs from what
    /// was written (the temp file is kept until dispose).</summary>
    public ContentInfo Commit(Digest? expected = null)
    {
        if (_file is null) throw new InvalidOperationException("the content writer is closed");
        var digest = Digest;
        if (expected is not null && expected != digest)
            throw new WharfException(ErrorKind.FailedPrecondition, $"unexpected commit digest {digest}, expected {expected}: failed precondition");
        if (_sync is not null) _sync.GetAwaiter().GetResult();
        else _file.Flush(flushToDisk: true);
        _file.Dispose();
        _file = null;
        return _store.CommitTemp(_tempPath, digest, Size);
    }

    public void Dispose()
    {
        try { _sync?.Wait(); } catch (AggregateException) { } // a failed background fsync matters only to Commit
        _file?.Dispose();
        _file = null;
        _hash.Dispose();
        try { File.Delete(_tempPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
