using System.Net.Sockets;
using System.Text;

namespace Wharf.Daemon.Http;

/// <summary>
/// The body of a streamed response in HTTP/1.1 chunked encoding. Every write goes out at once as one
/// chunk (progress lines and log frames must reach the client without delay). Completing writes the
/// terminating zero chunk so the connection can be reused.
/// </summary>
internal sealed class ChunkedResponseStream(Socket socket) : Stream
{
    private bool _completed;

    /// <summary>The zero chunk is out: the response is over, and anything written now would be read as the start
    /// of the next response on this connection.</summary>
    public bool IsCompleted => _completed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return;
        if (_completed) throw new InvalidOperationException("the chunked response is already complete");
        var frame = new byte[buffer.Length + 16];
        int h = Encoding.ASCII.GetBytes(buffer.Length.ToString("x") + "\r\n", frame);
        buffer.CopyTo(frame.AsMemory(h));
        frame[h + buffer.Length] = (byte)'\r';
        frame[h + buffer.Length + 1] = (byte)'\n';
        await HttpConnection.SendAllAsync(socket, frame.AsMemory(0, h + buffer.Length + 2), cancellationToken);
    }

    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        if (_completed) return;
        _completed = true;
        await HttpConnection.SendAllAsync(socket, "0\r\n\r\n"u8.ToArray(), ct);
    }
}
