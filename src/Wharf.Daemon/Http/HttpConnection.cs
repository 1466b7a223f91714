using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.Api;
using Wharf.Core;

namespace Wharf.Daemon.Http;

/// <summary>
/// A hand-written HTTP/1.1 server connection. Stock Kestrel cannot do Docker's hijack protocol
/// (body + Upgrade on exec start, client half-close, raw non-upgraded attach: engine-api.md §1.1), and a
/// plain socket loop is also lighter at idle. Keep-alive; one request at a time per connection.
/// </summary>
internal sealed partial class HttpConnection(Socket socket, Router router, Log log)
{
    private const int MaxHeaderBytes = 64 * 1024;

    public async Task RunAsync(CancellationToken ct)
    {
        var reader = new ConnectionReader(socket);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(reader, ct);
                if (request is null) break;
                var ctx = new HttpContext(reader, request);
                await DispatchAsync(ctx, ct);
                if (ctx.Hijacked is not null || !ctx.KeepAlive) break;
                if (request.Body is ReadOnlyBodyStream body) await body.DrainAsync(ct);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away: nothing to answer.
        }
        catch (InvalidDataException e)
        {
            try { await SendAllAsync(socket, System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: {e.Message.Length}\r\n\r\n{e.Message}"), ct); }
            catch (Exception) { }
        }
        finally
        {
            try { socket.Shutdown(SocketShutdown.Both); } catch (Exception) { }
            socket.Dispose();
        }
    }

    private static async Task<HttpRequest?> ReadRequestAsync(ConnectionReader reader, CancellationToken ct)
    {
        string? line;
        do { line = await reader.ReadLineAsync(8192, ct); } while (line is { Length: 0 });
        if (line is null) return null;
        var parts = line.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal)) throw new InvalidDataException("malformed request line");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int total = 0;
        while (true)
        {
            var h = await reader.ReadLineAsync(MaxHeaderBytes, ct) ?? throw new IOException("connection closed in headers");
            if (h.Length == 0) break;
            total += h.Length;
            if (total > MaxHeaderBytes) throw new InvalidDataException("request headers too large");
            int colon = h.IndexOf(':');
            if (colon <= 0) throw new InvalidDataException("malformed header line");
            var name = h[..colon].Trim();
            var value = h[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var prev) ? prev + ", " + value : value;
        }
        var target = parts[1];
        int q = target.IndexOf('?');
        var path = q < 0 ? target : target[..q];
        var query = QueryString.Parse(q < 0 ? "" : target[(q + 1)..]);

        Stream body;
        bool hasBody;
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = new ChunkedBodyStream(reader);
            hasBody = true;
        }
        else if (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, out var len) && len > 0)
        {
            body = new LengthBodyStream(reader, len);
            hasBody = true;
        }
        else
        {
            body = new LengthBodyStream(reader, 0);
            hasBody = false;
        }
        return new HttpRequest
        {
            Method = parts[0],
            RawTarget = target,
            Path = path,
            ApiVersion = ApiVersions.MaxVersion,
            Query = query,
            Headers = headers,
            Body = body,
            HasBody = hasBody,
        };
    }

    [GeneratedRegex(@"^/v(\d+)\.(\d+)(/.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPrefix();

    private async Task DispatchAsync(HttpContext ctx, CancellationToken ct)
    {
        var req = ctx.Request;
        try
        {
            var m = VersionPrefix().Match(req.Path);
            if (m.Success)
            {
                var v = new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
                var shown = m.Groups[1].Value + "." + m.Groups[2].Value;
                if (v < ApiVersions.MinVersion)
                    throw WharfException.Invalid($"client version {shown} is too old. Minimum supported API version is {ApiVersions.Min}, please upgrade your client to a newer version");
                if (v > ApiVersions.MaxVersion)
                    throw WharfException.Invalid($"client version {shown} is too new. Maximum supported API version is {ApiVersions.Max}");
                req.ApiVersion = v;
                req.Path = m.Groups[3].Value;
            }
            var handler = router.Match(req) ?? throw WharfException.NotFound("page not found");
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            await handler(ctx, ctx.Aborted(ct));
            // A streamed answer ends with the zero chunk even when its handler did not write it (archive, export):
            // a client that reads to the end of the body (Docker.DotNet) otherwise fails at the connection close.
            if (ctx.OpenStream is { } open) await open.CompleteAsync(ct);
            log.Debug($"{req.Method} {req.RawTarget} done in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
        }
        catch (OperationCanceledException) when (ctx.ClientGone)
        {
            log.Debug($"{req.Method} {req.RawTarget}: client closed the stream");
        }
        catch (Exception e) when (ctx.ResponseStarted && e is IOException or System.Net.Sockets.SocketException)
        {
            // The client hung up mid-stream (docker run -d drops its wait): nobody is left to tell.
            log.Debug($"{req.Method} {req.RawTarget}: client went away: {e.Message}");
            ctx.CloseAfterResponse();
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await WriteErrorAsync(ctx, e, ct);
        }
    }

    /// <summary>The one place errors become HTTP: kind → status (moby httpstatus.FromError), body {"message"}.
    /// Once a stream has started the error goes in-band, as moby does.</summary>
    private async Task WriteErrorAsync(HttpContext ctx, Exception e, CancellationToken ct)
    {
        var (status, message) = ErrorMapping.ToStatus(e);
        if (status == 500) log.Error($"{ctx.Request.Method} {ctx.Request.RawTarget}: {e}");
        else log.Debug($"{ctx.Request.Method} {ctx.Request.RawTarget}: {status} {message}");
        try
        {
            if (ctx.OpenStream is { IsCompleted: true })
            {
                // The handler finished its stream and failed afterwards: the client has its whole answer and
                // there is no place left to put the error. Closing keeps a stray chunk out of the next response.
                ctx.CloseAfterResponse();
                return;
            }
            if (ctx.OpenStream is { } stream)
            {
                var msg = new JsonMessage { ErrorDetail = new ErrorDetail { Message = message }, Error = message };
                await stream.WriteAsync(HttpContext.SerializeJson(msg, ApiJsonContext.Default.JsonMessage), ct);
                await stream.CompleteAsync(ct);
                return;
            }
            if (ctx.Hijacked is { } raw)
            {
                await raw.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\n\r\n{message}\r\n"), ct);
                return;
            }
            if (ctx.ResponseStarted) { ctx.CloseAfterResponse(); return; }
            if (status == 304) { await ctx.WriteNoContentAsync(304, ct); return; }
            await ctx.WriteJsonAsync(status, new ErrorResponse(message), ApiJsonContext.Default.ErrorResponse, ct);
        }
        catch (Exception) { ctx.CloseAfterResponse(); }
    }

    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (data.Length > 0)
        {
            int n = await socket.SendAsync(data, SocketFlags.None, ct);
            data = data[n..];
        }
    }
}
