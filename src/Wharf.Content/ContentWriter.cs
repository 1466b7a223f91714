using System.Security.Cryptography;
using Wharf.Core;
using Wharf.Oci;

namespace Wharf.Content;

/// <summary>
/// A push-style ingest into <see cref="LocalContentStore"/>: bytes are written (and hashed) as they pass by, e.g.
/// while the same bytes are being unpacked, so a layer is stored and extracted in one pass. Nothing is visible
/// until <see cref="Commit"/>, which verifies the digest; disposing an uncommitted writer deletes its temp file.
/// A resumable writer (<see cref="LocalContentStore.OpenResumable"/>) instead keeps its file, named after the
/// expected digest, so a download cut by a crash or a dropped connection can go on from where it stopped: the kept
/// bytes are unverified until <see cref="ResumeKept"/> re-hashes them, and only the final digest check decides.
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
    private readonly bool _resumable;
    private bool _discard;

    internal ContentWriter(LocalContentStore store, string tempPath, bool resumable = false)
    {
        _store = store;
        _tempPath = tempPath;
        _resumable = resumable;
        // FileShare.None is an exclusive flock on Unix: a second pull of the same blob cannot open a kept file
        // another one is appending to (it gets an IOException and writes a private temp file instead), and the
        // lock goes away with a killed process.
        _file = new FileStream(tempPath, resumable ? FileMode.OpenOrCreate : FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        KeptBytes = resumable ? _file.Length : 0;
    }

    /// <summary>Bytes written so far.</summary>
    public long Size { get; private set; }

    /// <summary>Bytes an earlier, interrupted writer of the same blob left (not yet hashed; 0 for a fresh writer).
    /// Writing starts only after <see cref="ResumeKept"/> or <see cref="DiscardKept"/>.</summary>
    public long KeptBytes { get; private set; }

    /// <summary>Re-hashes the kept bytes (passing each chunk to <paramref name="sink"/>, e.g. an extraction that
    /// needs the whole stream) so that writing continues after them.</summary>
    public void ResumeKept(Action<ReadOnlySpan<byte>>? sink = null, CancellationToken cancellationToken = default)
    {
        if (_file is null || _digest is not null) throw new InvalidOperationException("the content writer is closed");
        _file.Seek(0, SeekOrigin.Begin);
        var buf = new byte[1 << 16];
        long left = KeptBytes;
        while (left > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = _file.Read(buf, 0, (int)Math.Min(buf.Length, left));
            if (n == 0) throw new IOException($"{_tempPath} shrank while it was re-hashed");
            _hash.AppendData(buf, 0, n);
            sink?.Invoke(buf.AsSpan(0, n));
            left -= n;
        }
        Size = KeptBytes;
        KeptBytes = 0;
    }

    /// <summary>Drops the kept bytes: writing starts from an empty file.</summary>
    public void DiscardKept()
    {
        if (_file is null || _digest is not null) throw new InvalidOperationException("the content writer is closed");
        _file.SetLength(0);
        _file.Seek(0, SeekOrigin.Begin);
        KeptBytes = 0;
    }

    /// <summary>The bytes are bad (failed verification): a resumable writer deletes its file on dispose too.</summary>
    public void Discard() => _discard = true;

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_file is null || _digest is not null) throw new InvalidOperationException("the content writer is closed");
        if (KeptBytes > 0) throw new InvalidOperationException("resume or discard the kept bytes before writing");
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
        {
            _discard = true; // never resume from bytes that hash wrong
            throw new WharfException(ErrorKind.FailedPrecondition, $"unexpected commit digest {digest}, expected {expected}: failed precondition");
        }
        if (_sync is not null) _sync.GetAwaiter().GetResult();
        else _file.Flush(flushToDisk: true);
        _file.Dispose();
        _file = null;
        var info = _store.CommitTemp(_tempPath, digest, Size);
        _discard = true; // moved into place, or the blob was already there: nothing left to resume
        return info;
    }

    public void Dispose()
    {
        try { _sync?.Wait(); } catch (AggregateException) { } // a failed background fsync matters only to Commit
        _file?.Dispose();
        _file = null;
        _hash.Dispose();
        if (_resumable && !_discard) return; // kept for the next attempt; the store ages it out
        try { File.Delete(_tempPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
