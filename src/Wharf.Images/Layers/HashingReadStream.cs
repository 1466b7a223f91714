using System.Security.Cryptography;
using Wharf.Oci;
using Wharf.Core;

namespace Wharf.Images.Layers;

/// <summary>Hashes (sha256) and counts every byte read through it: the diffID of a layer is the digest
/// of its uncompressed tar, computed while the tar is being extracted.</summary>
public sealed class HashingReadStream(Stream inner, bool leaveOpen = false) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>Reads the rest of the stream (tar readers stop at the end marker) and returns the digest.</summary>
    public Digest Finish()
    {
        var buf = new byte[1 << 16];
        while (Read(buf, 0, buf.Length) > 0) { }
        return Digest.FromHash(_hash);
    }

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0)
        {
            _hash.AppendData(buffer[..n]);
            BytesRead += n;
        }
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen) inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
