using System.Net.Sockets;
using System.Text;

namespace Wharf.Daemon.Http;

/// <summary>
/// Buffered reads from one client socket: header lines first, then body bytes. Bytes read ahead of the
/// header end stay in the buffer and are served to the body reader (or the hijacked stream) first.
/// </summary>
internal sealed class ConnectionReader(Socket socket)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public Socket Socket { get; } = socket;

    /// <summary>Reads one CRLF- (or LF-) terminated line as ASCII; null at EOF before any byte.</summary>
    public async ValueTask<string?> ReadLineAsync(int maxLength, CancellationToken ct)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl >= 0)
            {
                int len = nl - _start;
                if (len > 0 && _buffer[nl - 1] == (byte)'\r') len--;
                sb.Append(Encoding.Latin1.GetString(_buffer, _start, len));
                _start = nl + 1;
                return sb.ToString();
            }
            sb.Append(Encoding.Latin1.GetString(_buffer, _start, _end - _start));
            _start = _end = 0;
            if (sb.Length > maxLength) throw new InvalidDataException("request header too long");
            int n = await Socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, ct);
            if (n == 0) return sb.Length == 0 ? null : sb.ToString();
            _end = n;
        }
    }

    /// <summary>Reads body bytes: buffered ones first, then the socket. 0 = peer closed its sending side.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_end > _start)
        {
            int n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }
        return await Socket.ReceiveAsync(destination, SocketFlags.None, ct);
    }
}
