using System.Net.Http.Headers;
using Wharf.Api;

namespace Wharf.Client;

public sealed partial class DockerClient
{
    /// <summary><c>POST /images/load?quiet=1</c>: sends an image archive and returns the daemon's lines
    /// ("Loaded image: …" / "Loaded image ID: …").</summary>
    public async Task<IReadOnlyList<string>> LoadImageAsync(Stream archive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var content = new StreamContent(archive, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(HttpMethod.Post, "/images/load" + Query(("quiet", "1")), content, cancellationToken, streaming: true).ConfigureAwait(false);
        var lines = new List<string>();
        await ReadProgressAsync(response, new SyncProgress<JsonMessage>(m =>
        {
            if (m.Stream?.Trim() is { Length: > 0 } line) lines.Add(line);
        }), cancellationToken).ConfigureAwait(false);
        return lines;
    }

    /// <summary><c>GET /images/get?names=…</c> (docker save): copies the archive the daemon streams to
    /// <paramref name="output"/>.</summary>
    public async Task SaveImagesAsync(IEnumerable<string> names, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(output);
        using var response = await SendAsync(HttpMethod.Get, "/images/get" + Query([.. names.Select(n => ("names", (string?)n))]), null, cancellationToken, streaming: true)
            .ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await body.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST /images/prune</c> (dangling only unless filters say dangling=false).</summary>
    public Task<Wharf.Api.Images.ImagePruneResponse> PruneImagesAsync(IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Post, "/images/prune" + FilterQuery(filters), ApiJsonContext.Default.ImagePruneResponse, cancellationToken);

    /// <summary><c>GET /system/df</c>.</summary>
    public Task<Wharf.Api.Daemon.DiskUsageResponse> DiskUsageAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, "/system/df", Wharf.Api.Daemon.DiskUsageJsonContext.Default.DiskUsageResponse, cancellationToken);

    /// <summary>IProgress that runs the callback inline (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
