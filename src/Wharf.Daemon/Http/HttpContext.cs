using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Wharf.Daemon.Http;

/// <summary>
/// One request and the ways to answer it. Exactly one of the Write*/Start*/Hijack calls answers a request.
/// Headers every response carries (Api-Version, Server, …) are added here, in one place.
/// </summary>
internal sealed class HttpContext(ConnectionReader reader, HttpRequest request)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public HttpRequest Request { get; } = request;
    public bool ResponseStarted { get; private set; }
    /// <summary>The connection can serve another request after this one. A client that sent `Connection: close`
    /// (Docker.DotNet does on every request) reads the answer until the socket closes, so it gets a close.</summary>
    public bool KeepAlive { get; private set; } = !request.AsksToClose;
    internal ChunkedResponseStream? OpenStream { get; private set; }
    internal HijackedStream? Hijacked { get; private set; }

    private Socket Socket => reader.Socket;

    public static byte[] SerializeJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions)) JsonSerializer.Serialize(w, value, typeInfo);
        ms.WriteByte((byte)'\n'); // moby's WriteJSON ends with a newline
        return ms.ToArray();
    }

    public Task WriteJsonAsync<T>(int status, T value, JsonTypeInfo<T> typeInfo, CancellationToken ct = default) =>
        WriteBytesAsync(status, "application/json", SerializeJson(value, typeInfo), ct);

    public Task WriteNoContentAsync(int status = 204, CancellationToken ct = default) =>
        WriteBytesAsync(status, null, ReadOnlyMemory<byte>.Empty, ct);

    public Task WriteTextAsync(int status, string text, string contentType = "text/plain; charset=utf-8", CancellationToken ct = default) =>
        WriteBytesAsync(status, contentType, Encoding.UTF8.GetBytes(text), ct);

    public async Task WriteBytesAsync(int status, string? contentType, ReadOnlyMemory<byte> body, CancellationToken ct = default, IEnumerable<KeyValuePair<string, string>>? extraHeaders = null, bool omitBody = false)
    {
        await ReadUnreadBodyAsync(ct);
        var sb = StatusLine(status);
        if (contentType is not null) sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (status != 204 && status != 304) sb.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        if (extraHeaders is not null)
            foreach (var (k, v) in extraHeaders) sb.Append(k).Append(": ").Append(v).Append("\r\n");
        sb.Append("\r\n");
        var head = Encoding.ASCII.GetBytes(sb.ToString());
        ResponseStarted = true;
        // A HEAD answer never has a body, errors included (Content-Length still tells its size). Go's client does
        // not read one: the bytes would sit on the kept-alive connection, which Go then drops as an "unsolicited
        // response" — under the next request it already wrote there (`docker cp` into a container: HEAD of a
        // missing path answers 404, then PUT), failing it with "use of closed network connection".
        if (omitBody || body.Length == 0 || status == 204 || status == 304 || Request.Method == "HEAD")
        {
            await HttpConnection.SendAllAsync(Socket, head, ct);
            return;
        }
        var all = new byte[head.Length + body.Length];
        head.CopyTo(all, 0);
        body.CopyTo(all.AsMemory(head.Length));
        await HttpConnection.SendAllAsync(Socket, all, ct);
    }

    /// <summary>Go's net/http server reads up to this much of a body the handler left unread before it answers.</summary>
    private const long MaxUnreadBodyBytes = 256 * 1024;

    /// <summary>
    /// As Go's net/http server does before a response goes out: reads what the handler left of the request body
    /// (the tar end blocks and zero chunk after `docker cp`'s extraction stopped at the end-of-archive marker, a body
    /// an error refused). Go's client, when the answer arrives while it is still writing the body, drops the
    /// connection and may fail the request with "use of closed network connection" (it did, now and then, under
    /// load). With more than <see cref="MaxUnreadBodyBytes"/> left, the answer goes out first and the connection loop
    /// drains the rest afterwards. Closing instead would reset the connection while the client is still writing, and
    /// the client would lose the answer: `docker load` of a 3 MiB non-archive then said "error during connect".
    /// </summary>
    private async Task ReadUnreadBodyAsync(CancellationToken ct)
    {
        if (!Request.HasBody || Request.Body is not ReadOnlyBodyStream body) return;
        var buf = new byte[8192];
        try
        {
            for (long left = MaxUnreadBodyBytes; left > 0;)
            {
                int n = await body.ReadAsync(buf, ct);
                if (n == 0) return;
                left -= n;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // A broken body still gets its answer; the connection is not reused.
            KeepAlive = false;
        }
    }

    /// <summary>Sends 200 headers at once (clients wait for them, e.g. `wait` before `start`) and returns the
    /// chunked body. Errors after this point must go in-band.</summary>
    public async Task<Stream> StartStreamAsync(string contentType, CancellationToken ct = default, int status = 200,
        IEnumerable<KeyValuePair<string, string>>? extraHeaders = null)
    {
        KeepAlive = false; // said in the headers: the hang-up watcher below owns the connection's reads from now on
        var sb = StatusLine(status);
        sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (extraHeaders is not null)
            foreach (var (k, v) in extraHeaders) sb.Append(k).Append(": ").Append(v).Append("\r\n");
        sb.Append("Transfer-Encoding: chunked\r\n\r\n");
        ResponseStarted = true;
        await HttpConnection.SendAllAsync(Socket, Encoding.ASCII.GetBytes(sb.ToString()), ct);
        OpenStream = new ChunkedResponseStream(Socket);
        WatchForHangUp();
        return OpenStream;
    }

    private CancellationTokenSource? _aborted;

    /// <summary>The token handlers get: the connection's, plus cancellation when a streaming client hangs up.</summary>
    internal CancellationToken Aborted(CancellationToken connection)
    {
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(connection);
        return _aborted.Token;
    }

    /// <summary>The client closed its side while we were streaming to it.</summary>
    public bool ClientGone { get; private set; }

    /// <summary>
    /// A streaming response (wait, logs -f, events) can last forever while the client has long gone: `docker run -d`
    /// drops its wait, a killed `docker events` never reads again. The client sends nothing more on the connection,
    /// so a read that returns EOF means it hung up; then the handler's token is cancelled and its registrations end.
    /// The connection is not reused afterwards, so this read never competes with the next request's.
    /// </summary>
    private void WatchForHangUp()
    {
        // A request body still unread would be consumed by the watcher: only watch body-less requests.
        if (Request.HasBody || _aborted is not { } cts) return;
        _ = Task.Run(async () =>
        {
            var one = new byte[1];
            try
            {
                while (await reader.ReadAsync(one, cts.Token) > 0) { }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
            if (cts.IsCancellationRequested) return;
            ClientGone = true;
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        });
    }

    /// <summary>
    /// Takes over the connection for attach/exec: 101 UPGRADED with Upgrade: tcp when the client asked for it,
    /// else 200 OK followed by a raw, unframed stream (Docker.DotNet 3.125). The connection is not reused.
    /// </summary>
    public async Task<HijackedStream> HijackAsync(string contentType, CancellationToken ct = default)
    {
        string head = Request.WantsUpgrade
            ? $"HTTP/1.1 101 UPGRADED\r\nContent-Type: {contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n{CommonHeaders}\r\n"
            : $"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n{CommonHeaders}\r\n";
        ResponseStarted = true;
        KeepAlive = false;
        await HttpConnection.SendAllAsync(Socket, Encoding.ASCII.GetBytes(head), ct);
        Hijacked = new HijackedStream(reader);
        return Hijacked;
    }

    internal const string CommonHeaders =
        "Api-Version: " + Wharf.Api.ApiVersions.Max + "\r\nServer: Wharf/" + DaemonVersion.Version + " (linux)\r\nOstype: linux\r\nDocker-Experimental: false\r\n";

    private StringBuilder StatusLine(int status)
    {
        var sb = new StringBuilder(256);
        sb.Append("HTTP/1.1 ").Append(status).Append(' ').Append(ReasonPhrase(status)).Append("\r\n");
        sb.Append(CommonHeaders);
        sb.Append("Date: ").Append(DateTime.UtcNow.ToString("r")).Append("\r\n");
        if (!KeepAlive) sb.Append("Connection: close\r\n");
        return sb;
    }

    public void CloseAfterResponse() => KeepAlive = false;

    private static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
