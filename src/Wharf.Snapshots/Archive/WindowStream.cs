using Microsoft.Win32.SafeHandles;

namespace Wharf.Snapshots.Archive;

/// <summary>
/// The first <see cref="Length"/> bytes of an open file, read with positional reads. A tar header states the
/// size up front, so a file a running container grows or truncates while it is archived must still yield
/// exactly that many bytes: extra bytes are cut, missing ones read as zeros.
/// </summary>
internal sealed class WindowStream(SafeFileHandle file, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = length - _position;
        if (left <= 0 || buffer.Length == 0) return 0;
        var target = buffer[..(int)Math.Min(buffer.Length, left)];
        int n = RandomAccess.Read(file, target, _position);
        if (n == 0)
        {
            // The file shrank: pad with zeros up to the promised size.
            target.Clear();
            n = target.Length;
        }
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
