using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Wharf.Api.Exec;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;

namespace Wharf.Daemon.Endpoints;

/// <summary>The exec routes (engine-api.md §4): create, start (hijacked, or detached), resize, inspect.</summary>
internal sealed class ExecEndpoints(ContainerService containers, Log log)
{
    private const string RawStream = "application/vnd.docker.raw-stream";
    private const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";

    public void Map(Router r)
    {
        r.Post("/containers/{id}/exec", CreateAsync);
        r.Post("/exec/{id}/start", StartAsync);
        r.Post("/exec/{id}/resize", async (c, ct) =>
        {
            await containers.ResizeExecAsync(c.Request.RouteValues["id"], Dimension(c, "h"), Dimension(c, "w"), ct);
            await c.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ct);
        });
        r.Get("/exec/{id}/json", (c, ct) =>
            c.WriteJsonAsync(200, containers.InspectExec(c.Request.RouteValues["id"]), ExecJsonContext.Default.ExecInspectResponse, ct));
    }

    private static int Dimension(HttpContext c, string key)
    {
        var v = c.Request.Query.Get(key);
        if (!uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw WharfException.Invalid($"invalid resize {key}: {v}");
        return (int)Math.Min(n, int.MaxValue);
    }

    private async Task CreateAsync(HttpContext c, CancellationToken ct)
    {
        if (!c.Request.HasBody) throw WharfException.Invalid("invalid JSON: request body is empty");
        var body = await JsonSerializer.DeserializeAsync(c.Request.Body, ExecJsonContext.Default.ExecCreateRequest, ct)
            ?? throw WharfException.Invalid("invalid JSON: request body is null");
        var id = containers.CreateExec(c.Request.RouteValues["id"], body);
        await c.WriteJsonAsync(201, new ExecCreateResponse { Id = id }, ExecJsonContext.Default.ExecCreateResponse, ct);
    }

    /// <summary>
    /// The body (Detach, Tty, ConsoleSize) comes together with the upgrade headers (engine-api.md §1.1): it is
    /// read first, then the connection is hijacked. Refusals come before the hijack as plain HTTP errors; a
    /// command that cannot start is reported in the stream, as Docker does, with its exit code recorded.
    /// </summary>
    private async Task StartAsync(HttpContext c, CancellationToken ct)
    {
        var body = c.Request.HasBody
            ? await JsonSerializer.DeserializeAsync(c.Request.Body, ExecJsonContext.Default.ExecStartRequest, ct) ?? new ExecStartRequest()
            : new ExecStartRequest();
        var execId = c.Request.RouteValues["id"];
        await using var run = containers.BeginExecStart(execId, body);
        if (body.Detach)
        {
            await run.StartAsync(detach: true, ct);
            await c.WriteNoContentAsync(200, ct);
            return;
        }

        bool multiplexed = !run.Tty;
        var contentType = multiplexed && c.Request.ApiVersion >= new Version(1, 42) ? MultiplexedStream : RawStream;
        var raw = await c.HijackAsync(contentType, ct);
        try
        {
            await run.StartAsync(detach: false, ct);
        }
        catch (WharfException e)
        {
            await WriteOutputAsync(raw, multiplexed, 1, Encoding.UTF8.GetBytes(e.Message + "\r\n"), ct);
            raw.CloseWrite();
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // As for attach, only a TTY exec watches for the detach keys: detaching ends this stream, the process runs on.
        using var detached = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var escape = run.Tty ? new EscapeScanner(run.DetachKeys) : null;
        var stdinPump = PumpStdinAsync(raw, run, escape, detached, stop.Token);
        try
        {
            while (await run.ReadAsync(detached.Token) is { } chunk)
                await WriteOutputAsync(raw, multiplexed, chunk.Stream, chunk.Data, ct);
            // The CLI asks for the exit code as soon as the stream ends: it must be recorded by then.
            await run.Exited.WaitAsync(ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            log.Debug($"exec {Ids.Short(execId)}: client went away: {e.Message}");
        }
        catch (OperationCanceledException) when (detached.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            log.Debug($"exec {Ids.Short(execId)}: detached");
        }
        finally
        {
            stop.Cancel();
            raw.CloseWrite();
            try { await stdinPump; } catch (Exception) { }
        }
    }

    private static async Task PumpStdinAsync(HijackedStream raw, ExecRun run, EscapeScanner? escape, CancellationTokenSource detach, CancellationToken ct)
    {
        var buf = new byte[32 * 1024];
        try
        {
            while (true)
            {
                int n = await raw.ReadAsync(buf, ct);
                if (n == 0) break;
                if (escape is null)
                {
                    await run.WriteStdinAsync(buf.AsMemory(0, n), ct);
                    continue;
                }
                var (forward, detached) = escape.Feed(buf.AsSpan(0, n));
                if (forward.Length > 0) await run.WriteStdinAsync(forward, ct);
                if (detached)
                {
                    await detach.CancelAsync();
                    return; // stdin stays open: the process keeps it, as after a docker attach detach
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException) { }
        if (!ct.IsCancellationRequested) await run.CloseStdinAsync(CancellationToken.None);
    }

    /// <summary>stdcopy framing: [stream, 0, 0, 0, size big-endian] + payload; raw bytes for TTY.</summary>
    private static ValueTask WriteOutputAsync(Stream s, bool multiplexed, int stream, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (!multiplexed) return s.WriteAsync(data, ct);
        var frame = new byte[8 + data.Length];
        frame[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)data.Length);
        data.CopyTo(frame.AsMemory(8));
        return s.WriteAsync(frame, ct);
    }
}
