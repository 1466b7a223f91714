using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.Api;
using Wharf.Api.Images;

namespace Wharf.Client;

public sealed partial class DockerClient
{
    public Task<List<ImageSummary>> ListImagesAsync(bool all = false, IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default)
    {
        var filterText = filters is null ? null : EncodeFilters(filters);
        return GetJsonAsync(HttpMethod.Get, "/images/json" + Query(("all", all ? "1" : null), ("filters", filterText == "{}" ? null : filterText)),
            ApiJsonContext.Default.ListImageSummary, cancellationToken);
    }

    public Task<ImageInspect> InspectImageAsync(string name, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, $"/images/{ImagePath(name)}/json", ApiJsonContext.Default.ImageInspect, cancellationToken);

    /// <summary>The daemon's image JSON verbatim (for `inspect`, which prints every field it sent).</summary>
    public Task<string> InspectImageRawAsync(string name, CancellationToken cancellationToken = default) =>
        GetRawJsonAsync($"/images/{ImagePath(name)}/json", cancellationToken);

    public Task TagImageAsync(string source, string repository, string? tag, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/images/{ImagePath(source)}/tag" + Query(("repo", repository), ("tag", tag)), cancellationToken);

    public Task<List<ImageDeleteResponseItem>> RemoveImageAsync(string name, bool force = false, bool noPrune = false, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Delete, $"/images/{ImagePath(name)}" + Query(("force", force ? "1" : null), ("noprune", noPrune ? "1" : null)),
            ApiJsonContext.Default.ListImageDeleteResponseItem, cancellationToken);

    /// <summary>
    /// <c>POST /images/create?fromSrc=-</c> (docker import): streams <paramref name="tar"/> as the body, reads the
    /// JSON progress stream and returns the final status (the image id). In-band errors throw
    /// <see cref="DockerStreamException"/>.
    /// </summary>
    public async Task<string> ImportImageAsync(Stream tar, string? repository, string? tag, IEnumerable<string>? changes = null,
        string? message = null, IProgress<JsonMessage>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        var query = new List<(string, string?)> { ("fromSrc", "-"), ("repo", repository), ("tag", tag), ("message", message) };
        foreach (var change in changes ?? [])
        {
            query.Add(("changes", change));
        }

        var content = new StreamContent(tar, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(HttpMethod.Post, "/images/create" + Query([.. query]), content, cancellationToken, streaming: true).ConfigureAwait(false);
        var last = await ReadProgressAsync(response, progress, cancellationToken).ConfigureAwait(false);
        return last?.Status?.Trim() ?? throw new DockerStreamException("the daemon ended the import without reporting an image id");
    }

    /// <summary><c>POST /images/create?fromImage=</c> (pull), consuming the progress stream.</summary>
    public async Task PullImageAsync(string image, string? tag, IProgress<JsonMessage>? progress = null, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent([]);
        using var request = await SendAsync(HttpMethod.Post, "/images/create" + Query(("fromImage", image), ("tag", tag)), content, cancellationToken, streaming: true).ConfigureAwait(false);
        await ReadProgressAsync(request, progress, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonMessage?> ReadProgressAsync(HttpResponseMessage response, IProgress<JsonMessage>? progress, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        JsonMessage? last = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(line, ApiJsonContext.Default.JsonMessage);
            }
            catch (JsonException)
            {
                throw new DockerStreamException("unexpected line in the daemon's progress stream: " + line);
            }

            if (message is null)
            {
                continue;
            }

            if (message.ErrorDetail is { } detail && detail.Message.Length > 0)
            {
                throw new DockerStreamException(detail.Message);
            }

            if (!string.IsNullOrEmpty(message.Error))
            {
                throw new DockerStreamException(message.Error);
            }

            progress?.Report(message);
            last = message;
        }

        return last;
    }

    /// <summary>Image names keep their '/' and ':' in the path (the daemon routes with a catch-all), but other
    /// characters are escaped.</summary>
    private static string ImagePath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return string.Join('/', name.Split('/').Select(part => Uri.EscapeDataString(part).Replace("%3A", ":", StringComparison.Ordinal).Replace("%40", "@", StringComparison.Ordinal)));
    }
}
