using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wharf.Client;

/// <summary>
/// An attach connection after the HTTP upgrade: the socket now carries the container's output one way and
/// stdin the other. <see cref="CloseStdin"/> half-closes (FIN) so the daemon sees stdin EOF while output keeps
/// flowing until the daemon closes its side.
/// </summary>
public sealed class HijackedConnection : IAsyncDisposable, IDisposable
{
    private const int MaxHeadSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private int _stdinClosed;

    private HijackedConnection(Socket socket, NetworkStream network, byte[] leftover, string? contentType)
    {
        _socket = socket;
        _network = network;
        Output = new PrefixedStream(leftover, network);
        ContentType = contentType;
    }

    /// <summary>Container output: stdcopy frames without a TTY, raw bytes with one.</summary>
    public Stream Output { get; }

    /// <summary>The Content-Type of the 101/200 response (multiplexed-stream or raw-stream).</summary>
    public string? ContentType { get; }

    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _network.WriteAsync(data, cancellationToken);

    /// <summary>Signals stdin EOF to the daemon (shutdown of our send side); idempotent.</summary>
    public void CloseStdin()
    {
        if (Interlocked.Exchange(ref _stdinClosed, 1) == 0)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The daemon already closed the connection; nothing left to signal.
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Copies <paramref name="stdin"/> to the container until it ends, then half-closes.</summary>
    public async Task PumpStdinAsync(Stream stdin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await WriteStdinAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The daemon closed the connection (container exited): stop sending, output handling decides the rest.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            CloseStdin();
        }
    }

    public void Dispose()
    {
        _network.Dispose();
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends <paramref name="pathAndQuery"/> as a POST asking for <c>Upgrade: tcp</c> and returns once the
    /// daemon answered 101 (or the raw 200 older daemons use). Any other status becomes a
    /// <see cref="DockerApiException"/> carrying the daemon's message.
    /// </summary>
    internal static async Task<HijackedConnection> OpenAsync(DockerEndpoint endpoint, string hostHeader, string pathAndQuery, string userAgent, CancellationToken cancellationToken, byte[]? jsonBody = null)
    {
        var socket = await EndpointConnector.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var network = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var request = new StringBuilder()
                .Append("POST ").Append(pathAndQuery).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(hostHeader).Append("\r\n")
                .Append("User-Agent: ").Append(userAgent).Append("\r\n")
                .Append(jsonBody is null ? "Content-Type: text/plain\r\n" : "Content-Type: application/json\r\n")
                .Append("Content-Length: ").Append(jsonBody?.Length ?? 0).Append("\r\n")
                .Append("Connection: Upgrade\r\n")
                .Append("Upgrade: tcp\r\n\r\n")
                .ToString();
            // The body (exec start's JSON) goes in the same write as the upgrade headers, as the docker CLI sends it.
            var requestHead = Encoding.ASCII.GetBytes(request);
            await network.WriteAsync(jsonBody is null ? requestHead : [.. requestHead, .. jsonBody], cancellationToken).ConfigureAwait(false);

            var (head, leftover) = await ReadHeadAsync(network, cancellationToken).ConfigureAwait(false);
            var response = ResponseHead.Parse(head);
            if (response.Status is 101 or 200)
            {
                return new HijackedConnection(socket, network, leftover, response.Header("Content-Type"));
            }

            var body = await ReadErrorBodyAsync(response, leftover, network, cancellationToken).ConfigureAwait(false);
            throw new DockerApiException((HttpStatusCode)response.Status, ErrorText.FromBody(body, response.Status));
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    private static async Task<(string Head, byte[] Leftover)> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxHeadSize)
                {
                    throw new InvalidDataException("daemon response head too large");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the daemon closed the connection before answering the attach request");
            }

            var searchFrom = Math.Max(0, filled - 3);
            filled += n;
            var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                end += searchFrom + 4;
                return (Encoding.ASCII.GetString(buffer, 0, end), buffer[end..filled]);
            }
        }
    }

    private static async Task<string> ReadErrorBodyAsync(ResponseHead response, byte[] leftover, Stream stream, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        all.Write(leftover);
        var length = response.Header("Content-Length");
        var chunked = response.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        if (length is not null && long.TryParse(length, out var expected))
        {
            var buffer = new byte[4096];
            while (all.Length < expected)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                all.Write(buffer, 0, n);
            }

            return Encoding.UTF8.GetString(all.GetBuffer(), 0, (int)Math.Min(all.Length, expected));
        }

        // Chunked or close-delimited: read what the daemon sends until it closes (error bodies are small), then
        // strip chunk framing if there is any.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                all.Write(buffer, 0, n);
                if (chunked && all.Length >= 5 && all.GetBuffer().AsSpan(0, (int)all.Length).EndsWith("0\r\n\r\n"u8))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        var text = Encoding.UTF8.GetString(all.GetBuffer(), 0, (int)all.Length);
        return chunked ? Dechunk(text) : text;
    }

    private static string Dechunk(string text)
    {
        var result = new StringBuilder();
        var pos = 0;
        while (pos < text.Length)
        {
            var lineEnd = text.IndexOf("\r\n", pos, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = text[pos..lineEnd].Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            var start = lineEnd + 2;
            result.Append(text.AsSpan(start, Math.Min(size, text.Length - start)));
            pos = start + size + 2;
        }

        return result.ToString();
    }
}
