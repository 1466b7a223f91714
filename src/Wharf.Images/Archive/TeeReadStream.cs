using Wharf.Content;
using Wharf.Core;

namespace Wharf.Images.Archive;

/// <summary>Passes reads through and writes every byte read into a <see cref="ContentWriter"/>: the blob is stored
/// while the same bytes are being decompressed and unpacked.</summary>
internal sealed class TeeReadStream(Stream inner, ContentWriter sink) : ReadOnlyStream
{

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0) sink.Write(buffer[..n]);
        return n;
    }

    /// <summary>Reads (and so stores) whatever the consumer left unread, e.g. bytes after a gzip member.</summary>
    public void Drain()
    {
        var buf = new byte[1 << 16];
        while (Read(buf) > 0) { }
    }

}
