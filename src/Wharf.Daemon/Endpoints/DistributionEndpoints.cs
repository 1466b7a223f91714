using System.Text.Json;
using Wharf.Api;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Distribution;
using Wharf.Engine.Distribution;

namespace Wharf.Daemon.Endpoints;

/// <summary>Pull (POST /images/create?fromImage=), push (POST /images/{name}/push) and login (POST /auth):
/// engine-api.md §5.1, §5.2, §8.3.</summary>
internal sealed class DistributionEndpoints(DistributionService distribution, Action<string> log)
{
    public void Map(Router r)
    {
        r.Post("/images/{name*}/push", PushAsync);
        r.Post("/auth", LoginAsync);
    }

    /// <summary>The pull half of POST /images/create (the import half stays in <see cref="ImageEndpoints"/>).</summary>
    public async Task PullAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        var auth = AuthConfig.DecodeHeader(c.Request.Header("X-Registry-Auth"));
        var sink = new StreamSink(c, ct);
        await RunStreamedAsync(c, sink, "pull", () => distribution.PullAsync(q.Get("fromImage") ?? "", q.Get("tag"), q.Get("platform"), auth, sink, sink.Token));
    }

    private async Task PushAsync(HttpContext c, CancellationToken ct)
    {
        var header = c.Request.Header("X-Registry-Auth");
        AuthConfig auth;
        if (header is not null) auth = AuthConfig.DecodeHeader(header);
        else
        {
            // moby: without the header the body is the auth config (old clients).
            using var ms = new MemoryStream();
            await c.Request.Body.CopyToAsync(ms, ct);
            auth = ms.Length > 0 ? AuthConfig.ParseJson(ms.ToArray()) ?? AuthConfig.Anonymous : AuthConfig.Anonymous;
        }
        var name = c.Request.RouteValues["name"];
        var tag = c.Request.Query.Get("tag");
        var sink = new StreamSink(c, ct);
        await RunStreamedAsync(c, sink, "push", () => distribution.PushAsync(name, tag, auth, sink, async result =>
        {
            // aux.Size is a number (PushResult in the CLI), so this line is written by hand.
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteStartObject("progressDetail");
                w.WriteEndObject();
                w.WriteStartObject("aux");
                w.WriteString("Tag", result.Tag);
                w.WriteString("Digest", result.Digest.ToString());
                w.WriteNumber("Size", result.Size);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            ms.WriteByte((byte)'\n');
            await sink.WriteRawAsync(ms.ToArray());
        }, sink.Token));
    }

    private async Task LoginAsync(HttpContext c, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await c.Request.Body.CopyToAsync(ms, ct);
        var auth = AuthConfig.ParseJson(ms.ToArray()) ?? throw WharfException.Invalid("invalid JSON: the body must be an auth configuration");
        var identityToken = await distribution.LoginAsync(auth, ct);
        // AuthenticateOKBody: the docker CLI stores a non-empty IdentityToken in place of the password.
        using var okBody = new MemoryStream();
        using (var w = new Utf8JsonWriter(okBody))
        {
            w.WriteStartObject();
            w.WriteString("IdentityToken", identityToken ?? "");
            w.WriteString("Status", "Login Succeeded");
            w.WriteEndObject();
        }
        okBody.WriteByte((byte)'\n');
        await c.WriteBytesAsync(200, "application/json", okBody.ToArray(), ct);
    }

    /// <summary>Errors before the first progress line are ordinary API errors (status + message); after it they
    /// go in-band as {"errorDetail":…,"error":…}, as moby's streamformatter does.</summary>
    private async Task RunStreamedAsync(HttpContext c, StreamSink sink, string what, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (Exception e) when (sink.Started && e is WharfException or HttpRequestException or IOException or InvalidDataException
                                      or OperationCanceledException or JsonException or UnauthorizedAccessException)
        {
            if (e is not WharfException) log($"{what}: {e}");
            if (!c.ClientGone)
                await sink.WriteAsync(new JsonMessage { Error = e.Message, ErrorDetail = new ErrorDetail { Message = e.Message } });
        }
        catch (HttpRequestException e)
        {
            throw new WharfException(ErrorKind.Unavailable, e.Message, e);
        }
        if (!sink.Started) await sink.StartAsync();
        await sink.CompleteAsync();
    }

    /// <summary>Progress as JSON messages, one per line; starts the 200 stream on the first one. Every write and the
    /// terminating chunk go out under one lock, and nothing is written once the stream is complete: a late report
    /// can neither interleave its bytes with the terminator nor land after it.</summary>
    private sealed class StreamSink(HttpContext c, CancellationToken ct) : IProgressSink
    {
        private readonly SemaphoreSlim _lock = new(1);
        private Stream? _stream;
        private bool _completed;

        public CancellationToken Token => ct;
        public bool Started => _stream is not null;

        public async Task StartAsync()
        {
            await _lock.WaitAsync(ct);
            try
            {
                _stream ??= await c.StartStreamAsync("application/json", ct);
            }
            finally
            {
                _lock.Release();
            }
        }

        /// <summary>Writes the terminating chunk (the docker CLI reads the stream to its end).</summary>
        public async Task CompleteAsync()
        {
            await _lock.WaitAsync(ct);
            try
            {
                if (_completed) return;
                _completed = true;
                if (!c.ClientGone) await c.OpenStream!.CompleteAsync(ct);
            }
            finally
            {
                _lock.Release();
            }
        }

        public Task ReportAsync(ProgressEvent e)
        {
            var m = new JsonMessage { Status = e.Status, Id = e.Id };
            if (e.Detail) m.ProgressDetail = new ProgressDetail { Current = e.Current, Total = e.Total };
            m.Progress = e.ProgressText;
            return WriteAsync(m);
        }

        public Task WriteAsync(JsonMessage m) => WriteRawAsync(HttpContext.SerializeJson(m, ApiJsonContext.Default.JsonMessage));

        public async Task WriteRawAsync(byte[] line)
        {
            if (c.ClientGone) return;
            await _lock.WaitAsync(ct);
            try
            {
                if (_completed) return;
                _stream ??= await c.StartStreamAsync("application/json", ct);
                await _stream.WriteAsync(line, ct);
            }
            finally
            {
                _lock.Release();
            }
        }
    }
}
