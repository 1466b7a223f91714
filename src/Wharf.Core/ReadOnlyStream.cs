namespace Wharf.Core;

/// <summary>
/// Base of the forward-only, read-only streams (request bodies, tees, hashing and progress wrappers): everything a
/// Stream must answer that such a stream cannot do, said once. Derived classes implement Read and may still
/// override any member (a wrapper that counts its Position, for one).
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
