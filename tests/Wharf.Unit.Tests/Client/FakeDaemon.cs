using System.Net.Sockets;
using System.Text;

namespace Wharf.Unit.Tests.Client;

/// <summary>
/// A unix-socket HTTP/1.1 server for client tests: normal requests go to <c>handler</c> (keep-alive loop);
/// a request with <c>Upgrade: tcp</c> gets the raw socket through <c>hijack</c> after its head was read.
/// </summary>
internal sealed class FakeDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _dir;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly Func<FakeRequest, FakeResponse> _handler;
    private readonly Func<FakeRequest, Socket, Task>? _hijack;

    public FakeDaemon(Func<FakeRequest, FakeResponse> handler, Func<FakeRequest, Socket, Task>? hijack = null)
    {
        _handler = handler;
        _hijack = hijack;
        _dir = Directory.CreateTempSubdirectory("wharf-fake-daemon-").FullName;
        SocketPath = Path.Combine(_dir, "d.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    public List<FakeRequest> Requests { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            var pending = new List<byte>();
            while (true)
            {
                var request = await ReadRequestAsync(socket, pending);
                if (request is null)
                {
                    return;
                }

                lock (Requests)
                {
                    Requests.Add(request);
                }

                if (_hijack is not null && request.Header("Upgrade") is not null)
                {
                    await _hijack(request, socket);
                    return;
                }

                var response = _handler(request);
                var body = Encoding.UTF8.GetBytes(response.Body);
                var head = new StringBuilder()
                    .Append("HTTP/1.1 ").Append(response.Status).Append(" X\r\n")
                    .Append("Content-Type: ").Append(response.ContentType).Append("\r\n")
                    .Append("Api-Version: ").Append(response.ApiVersion).Append("\r\n")
                    .Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n").ToString();
                await socket.SendAsync(Encoding.ASCII.GetBytes(head).Concat(request.Method == "HEAD" ? [] : body).ToArray());
            }
        }
    }

    private static async Task<FakeRequest?> ReadRequestAsync(Socket socket, List<byte> pending)
    {
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOf(pending, "\r\n\r\n"u8.ToArray())) < 0)
        {
            var n = await socket.ReceiveAsync(buffer);
            if (n == 0)
            {
                return null;
            }

            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        var head = Encoding.ASCII.GetString(pending.GetRange(0, headEnd).ToArray());
        pending.RemoveRange(0, headEnd + 4);
        var lines = head.Split("\r\n");
        var first = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .Select(p => KeyValuePair.Create(p[0].Trim(), p[1].Trim())).ToList();
        var request = new FakeRequest(first[0], first[1], headers, "");
        var body = new List<byte>();
        if (request.Header("Content-Length") is { } lengthText && int.TryParse(lengthText, out var length))
        {
            while (pending.Count < length)
            {
                var n = await socket.ReceiveAsync(buffer);
                if (n == 0)
                {
                    break;
                }

                pending.AddRange(buffer.AsSpan(0, n).ToArray());
            }

            body.AddRange(pending.GetRange(0, Math.Min(length, pending.Count)));
            pending.RemoveRange(0, Math.Min(length, pending.Count));
        }
        else if (request.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(pending, "\r\n"u8.ToArray())) < 0)
                {
                    var n = await socket.ReceiveAsync(buffer);
                    pending.AddRange(buffer.AsSpan(0, n).ToArray());
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString(pending.GetRange(0, lineEnd).ToArray()).Split(';')[0], 16);
                pending.RemoveRange(0, lineEnd + 2);
                while (pending.Count < size + 2)
                {
                    var n = await socket.ReceiveAsync(buffer);
                    pending.AddRange(buffer.AsSpan(0, n).ToArray());
                }

                body.AddRange(pending.GetRange(0, size));
                pending.RemoveRange(0, size + 2);
                if (size == 0)
                {
                    break;
                }
            }
        }

        return request with { Body = Encoding.UTF8.GetString(body.ToArray()) };
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = haystack[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
