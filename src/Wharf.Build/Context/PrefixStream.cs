namespace Wharf.Build.Context;

/// <summary>A read-only stream that yields a few already-read bytes before the rest of its inner stream.</summary>
internal sealed class PrefixStream(byte[] prefix, Stream inner) : Stream
{
    private int _offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_offset < prefix.Length)
        {
            var n = Math.Min(count, prefix.Length - _offset);
            Array.Copy(prefix, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }
        return inner.Read(buffer, offset, count);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
