using System.Text.Json;
using Wharf.Api;
using Wharf.Api.Build;
using Wharf.Build.Execution;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Build;

namespace Wharf.Daemon.Endpoints;

/// <summary>POST /build (legacy builder, engine-api.md §6) and POST /build/prune.</summary>
internal sealed class BuildEndpoints(BuildService build, Action<string> log)
{
    public void Map(Router r)
    {
        r.Post("/build", BuildAsync);
        r.Post("/build/prune", PruneAsync);
    }

    private async Task BuildAsync(HttpContext c, CancellationToken ct)
    {
        var options = ParseOptions(c.Request.Query);
        if (c.Request.Header(BuildSecrets.HeaderName) is { Length: > 0 } secrets)
        {
            try { options = options with { Secrets = BuildSecrets.Decode(secrets) }; }
            catch (FormatException e) { throw WharfException.Invalid("invalid build secrets: " + e.Message); }
        }
        using var context = await build.ReadContextAsync(c.Request.Body, ct);
        // The tar ends before the body does (zero padding, the last chunk): read the rest now, or a fast answer
        // closes the connection on unread bytes, the kernel resets it and the client sees "broken pipe".
        await c.Request.Body.CopyToAsync(Stream.Null, ct);
        var stream = await c.StartStreamAsync("application/json", ct);
        var output = new StreamOutput(stream, ct);
        try
        {
            await build.BuildAsync(context, options, output, ct);
        }
        catch (Exception e) when (e is WharfException or BuildStepFailedException or IOException or UnauthorizedAccessException
                                      or HttpRequestException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            var code = e is BuildStepFailedException f ? f.Code : 0;
            if (e is not (WharfException or BuildStepFailedException)) log("build: " + e);
            await output.WriteAsync(new JsonMessage { Error = e.Message, ErrorDetail = new ErrorDetail { Code = code, Message = e.Message } });
        }
        await c.OpenStream!.CompleteAsync(ct);
    }

    private async Task PruneAsync(HttpContext c, CancellationToken ct)
    {
        var (removed, reclaimed) = build.Prune();
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["CachesDeleted"] = removed, ["SpaceReclaimed"] = reclaimed,
        }, BuildJson.Default.DictionaryStringObject);
        await c.WriteBytesAsync(200, "application/json", body, ct);
    }

    private static BuildOptions ParseOptions(QueryString q)
    {
        var version = q.Get("version");
        if (version is not (null or "" or "1"))
            throw WharfException.Invalid(version == "2"
                ? "BuildKit is not supported by wharf: use the legacy builder (DOCKER_BUILDKIT=0)"
                : $"invalid version {version}");
        if (q.Bool("squash")) throw WharfException.Invalid("squash is only supported with experimental mode");
        return new BuildOptions
        {
            Tags = q.GetAll("t").Where(t => t.Length > 0).ToList(),
            DockerfilePath = q.Get("dockerfile") is { Length: > 0 } d ? d : "Dockerfile",
            BuildArgs = JsonMap<string?>(q.Get("buildargs"), "buildargs"),
            Labels = JsonMap<string>(q.Get("labels"), "labels"),
            Target = q.Get("target"),
            NoCache = q.Bool("nocache"),
            Quiet = q.Bool("q"),
            Remove = q.Bool("rm", true),
            ForceRemove = q.Bool("forcerm"),
            NetworkMode = q.Get("networkmode") is { Length: > 0 } n && n != "default" ? n : null,
            Platform = q.Get("platform") is { Length: > 0 } p ? p : null,
            Pull = q.Bool("pull"),
            CacheFrom = q.Get("cachefrom") is { Length: > 0 } cf ? JsonSerializer.Deserialize(cf, BuildJson.Default.ListString) ?? [] : [],
        };
    }

    private static Dictionary<string, T> JsonMap<T>(string? text, string name)
    {
        if (string.IsNullOrEmpty(text)) return [];
        try
        {
            var result = new Dictionary<string, T>();
            using var doc = JsonDocument.Parse(text);
            foreach (var p in doc.RootElement.EnumerateObject())
                result[p.Name] = (T)(object?)(p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString())!;
            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw WharfException.Invalid($"failed to parse {name}: {e.Message}");
        }
    }

    /// <summary>Build output as JSON messages, one per line.</summary>
    private sealed class StreamOutput(Stream stream, CancellationToken ct) : IBuildOutput
    {
        private readonly SemaphoreSlim _lock = new(1);

        public Task StreamAsync(string text) => WriteAsync(new JsonMessage { Stream = text });

        public Task AuxAsync(string imageId) => WriteAsync(new JsonMessage { Aux = new Dictionary<string, string> { ["ID"] = imageId } });

        public async Task WriteAsync(JsonMessage m)
        {
            await _lock.WaitAsync(ct);
            try
            {
                await stream.WriteAsync(HttpContext.SerializeJson(m, ApiJsonContext.Default.JsonMessage), ct);
            }
            finally
            {
                _lock.Release();
            }
        }
    }
}
