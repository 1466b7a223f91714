using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;

namespace Wharf.Daemon.Endpoints;

/// <summary>The /containers routes (engine-api.md §4): parse the wire request, call the container service,
/// write the wire answer. Streams (attach, wait, logs) are framed here.</summary>
internal sealed class ContainerEndpoints(ContainerService containers, Log log)
{
    private const string RawStream = "application/vnd.docker.raw-stream";
    private const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";

    public void Map(Router r)
    {
        r.Post("/containers/create", CreateAsync);
        r.Get("/containers/json", ListAsync);
        r.Get("/containers/{id}/json", InspectAsync);
        r.Post("/containers/{id}/start", async (c, ct) => { await containers.StartAsync(Id(c), ct); await c.WriteNoContentAsync(204, ct); });
        r.Post("/containers/{id}/stop", async (c, ct) =>
        {
            await containers.StopAsync(Id(c), Timeout(c), c.Request.Query.Get("signal") is { Length: > 0 } s ? s : null, ct);
            await c.WriteNoContentAsync(204, ct);
        });
        r.Post("/containers/{id}/restart", async (c, ct) =>
        {
            await containers.RestartAsync(Id(c), Timeout(c), c.Request.Query.Get("signal") is { Length: > 0 } s ? s : null, ct);
            await c.WriteNoContentAsync(204, ct);
        });
        r.Post("/containers/{id}/kill", async (c, ct) =>
        {
            await containers.KillAsync(Id(c), c.Request.Query.Get("signal") is { Length: > 0 } s ? s : null, ct);
            await c.WriteNoContentAsync(204, ct);
        });
        r.Delete("/containers/{id}", async (c, ct) =>
        {
            await containers.RemoveAsync(Id(c), c.Request.Query.Bool("force"), c.Request.Query.Bool("v"), ct);
            await c.WriteNoContentAsync(204, ct);
        });
        r.Post("/containers/{id}/resize", async (c, ct) =>
        {
            int h = Dimension(c, "h"), w = Dimension(c, "w");
            await containers.ResizeAsync(Id(c), h, w, ct);
            await c.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ct);
        });
        r.Post("/containers/{id}/pause", async (c, ct) => { await containers.PauseAsync(Id(c), ct); await c.WriteNoContentAsync(204, ct); });
        r.Post("/containers/{id}/unpause", async (c, ct) => { await containers.UnpauseAsync(Id(c), ct); await c.WriteNoContentAsync(204, ct); });
        r.Post("/containers/{id}/rename", async (c, ct) =>
        {
            containers.Rename(Id(c), c.Request.Query.Get("name"));
            await c.WriteNoContentAsync(204, ct);
        });
        r.Post("/containers/prune", async (c, ct) =>
        {
            var result = await containers.PruneAsync(c.Request.Query.Filters(), ct);
            await c.WriteJsonAsync(200, result, ContainerJsonContext.Default.ContainerPruneResponse, ct);
        });
        r.Get("/containers/{id}/top", async (c, ct) =>
        {
            var result = await containers.TopAsync(Id(c), c.Request.Query.Get("ps_args"), ct);
            await c.WriteJsonAsync(200, result, ContainerJsonContext.Default.ContainerTopResponse, ct);
        });
        r.Post("/containers/{id}/wait", WaitAsync);
        r.Post("/containers/{id}/attach", AttachAsync);
        r.Get("/containers/{id}/logs", LogsAsync);
    }

    private static string Id(HttpContext c) => c.Request.RouteValues["id"];

    private static int? Timeout(HttpContext c)
    {
        var t = c.Request.Query.Long("t");
        return t is null ? null : checked((int)t.Value);
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
        var body = await JsonSerializer.DeserializeAsync(c.Request.Body, ContainerJsonContext.Default.ContainerCreateRequest, ct)
            ?? throw WharfException.Invalid("invalid JSON: request body is null");
        var result = await containers.CreateAsync(c.Request.Query.Get("name"), body, body.HostConfig, body.NetworkingConfig, ct);
        await c.WriteJsonAsync(201, result, ContainerJsonContext.Default.ContainerCreateResponse, ct);
    }

    private Task ListAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        int limit = (int)(q.Long("limit") ?? -1);
        var list = containers.List(q.Bool("all"), limit, q.Filters());
        return c.WriteJsonAsync(200, [.. list], ContainerJsonContext.Default.ListContainerSummary, ct);
    }

    private Task InspectAsync(HttpContext c, CancellationToken ct) =>
        c.WriteJsonAsync(200, containers.Inspect(Id(c)), ContainerJsonContext.Default.ContainerInspectResponse, ct);

    /// <summary>Headers go out before the container exits: the CLI registers the wait before start and
    /// needs to know it is registered (engine-api.md §4.5).</summary>
    private async Task WaitAsync(HttpContext c, CancellationToken ct)
    {
        using var wait = containers.BeginWait(Id(c), c.Request.Query.Get("condition"));
        var stream = await c.StartStreamAsync("application/json", ct);
        var (code, error) = await wait.Result.WaitAsync(ct);
        var body = new ContainerWaitResponse { StatusCode = code, Error = error is null ? null : new WaitExitError { Message = error } };
        await stream.WriteAsync(HttpContext.SerializeJson(body, ContainerJsonContext.Default.ContainerWaitResponse), ct);
        await c.OpenStream!.CompleteAsync(ct);
    }

    /// <summary>
    /// The hijacked attach stream (engine-api.md §4.3). The client's half-close only ends stdin; output keeps
    /// flowing until the container's output ends, then we half-close our side.
    /// </summary>
    private async Task AttachAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        bool stdin = q.Bool("stdin"), stdout = q.Bool("stdout"), stderr = q.Bool("stderr");
        var id = Id(c);
        // Checked before the stream is hijacked, so a bad sequence is a plain 400.
        var detachKeys = DetachKeys.Parse(q.Get("detachKeys"));
        await using var attach = containers.Attach(id, stdin, stdout, stderr);
        bool multiplexed = !attach.Tty;
        var contentType = multiplexed && c.Request.ApiVersion >= new Version(1, 42) ? MultiplexedStream : RawStream;
        var raw = await c.HijackAsync(contentType, ct);

        if (q.Bool("logs"))
        {
            await foreach (var entry in containers.Logs(id, stdout, stderr, cancellationToken: ct))
                await HijackedStdio.WriteOutputAsync(raw, multiplexed, entry.Stream, entry.Data, ct);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // As Docker, only a TTY attach watches for the detach keys; detaching ends this attach and leaves the
        // container running with its stdin open.
        using var detached = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var escape = attach.Tty ? new EscapeScanner(detachKeys) : null;
        var stdinPump = stdin ? HijackedStdio.PumpStdinAsync(raw, attach.WriteStdinAsync, attach.CloseStdinAsync, escape, detached, stop.Token) : Task.CompletedTask;
        try
        {
            while (await attach.ReadAsync(detached.Token) is { } chunk)
                await HijackedStdio.WriteOutputAsync(raw, multiplexed, chunk.Stream, chunk.Data, ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            log.Debug($"attach {Ids.Short(id)}: client went away: {e.Message}");
        }
        catch (OperationCanceledException) when (detached.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            log.Debug($"attach {Ids.Short(id)}: detached");
        }
        finally
        {
            stop.Cancel();
            raw.CloseWrite();
            try { await stdinPump; } catch (Exception) { }
        }
    }


    private const int LogBatchBytes = 64 * 1024;

    private static void AppendOutput(ArrayBufferWriter<byte> to, bool multiplexed, int stream, ReadOnlySpan<byte> data)
    {
        if (multiplexed)
        {
            var header = to.GetSpan(8);
            header[..8].Clear();
            header[0] = (byte)stream;
            BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)data.Length);
            to.Advance(8);
        }
        to.Write(data);
    }

    private async Task LogsAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        var id = Id(c);
        var tailText = q.Get("tail");
        int tail = int.TryParse(tailText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t >= 0 ? t : -1;
        bool timestamps = q.Bool("timestamps");
        var entries = containers.Logs(id, q.Bool("stdout"), q.Bool("stderr"), q.Bool("follow"),
            UnixTime(q.Get("since")), UnixTime(q.Get("until")), tail, timestamps, ct);
        bool multiplexed = !containers.IsTty(id);
        var contentType = multiplexed && c.Request.ApiVersion >= new Version(1, 42) ? MultiplexedStream : RawStream;
        var stream = await c.StartStreamAsync(contentType, ct);
        // The service already prefixes timestamps (Go's RFC3339NanoFixed) when asked. Entries already in the file
        // come synchronously: they are framed into one buffer and sent in large chunks (one send per line made
        // `docker logs` of 100k lines syscall-bound); the buffer goes out whenever the next entry is not ready
        // yet, so a follower still sees each line at once.
        var batch = new ArrayBufferWriter<byte>(LogBatchBytes);
        await using var e = entries.GetAsyncEnumerator(ct);
        while (true)
        {
            var next = e.MoveNextAsync();
            if ((!next.IsCompleted || batch.WrittenCount >= LogBatchBytes) && batch.WrittenCount > 0)
            {
                await stream.WriteAsync(batch.WrittenMemory, ct);
                batch.ResetWrittenCount();
            }
            if (!await next) break;
            AppendOutput(batch, multiplexed, e.Current.Stream, e.Current.Data.Span);
        }
        if (batch.WrittenCount > 0) await stream.WriteAsync(batch.WrittenMemory, ct);
        await c.OpenStream!.CompleteAsync(ct);
    }

    /// <summary>since/until: unix seconds with optional fraction; empty or 0 = no bound.</summary>
    private static DateTimeOffset? UnixTime(string? v)
    {
        if (string.IsNullOrEmpty(v) || v == "0") return null;
        var parts = v.Split('.', 2);
        if (!long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var secs))
            throw WharfException.Invalid($"invalid timestamp: {v}");
        long nanos = 0;
        if (parts.Length == 2)
        {
            var frac = parts[1].PadRight(9, '0')[..9];
            if (!long.TryParse(frac, NumberStyles.None, CultureInfo.InvariantCulture, out nanos)) throw WharfException.Invalid($"invalid timestamp: {v}");
        }
        return DateTimeOffset.FromUnixTimeSeconds(secs).AddTicks(nanos / 100);
    }
}
