using Wharf.Core;

namespace Wharf.Images.Layers;

/// <summary>A read-only stream that replays bytes already read (the magic-number peek) before the rest of
/// the inner stream.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream inner) : ReadOnlyStream
{
    private int _pos;
    private long _consumed;

    /// <summary>Bytes read so far: the xz decoder aligns its blocks by the position of the stream it reads.</summary>
    public override long Position { get => _consumed; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_pos < prefixLength)
        {
            int n = Math.Min(buffer.Length, prefixLength - _pos);
            prefix.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            _consumed += n;
            return n;
        }
        var read = inner.Read(buffer);
        _consumed += read;
        return read;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
