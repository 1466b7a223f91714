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

    /// <summary>IProgress that runs the callback inline (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
