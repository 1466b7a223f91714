using System.Text.Json;
using Wharf.Api.Containers;

namespace Wharf.Client;

public sealed partial class DockerClient
{
    /// <summary><c>POST /containers/create[?name=]</c>; 404 means the image is missing.</summary>
    public Task<ContainerCreateResponse> CreateContainerAsync(ContainerCreateRequest request, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GetJsonAsync(HttpMethod.Post, "/containers/create" + Query(("name", string.IsNullOrEmpty(name) ? null : name)),
            ContainerJsonContext.Default.ContainerCreateResponse, cancellationToken,
            JsonBody(request, ContainerJsonContext.Default.ContainerCreateRequest));
    }

    public Task StartContainerAsync(string id, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/start", cancellationToken);

    public Task StopContainerAsync(string id, int? timeoutSeconds = null, string? signal = null, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/stop" + Query(("t", timeoutSeconds is { } t ? Num(t) : null), ("signal", signal)), cancellationToken);

    public Task KillContainerAsync(string id, string? signal = null, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/kill" + Query(("signal", signal)), cancellationToken);

    public Task RemoveContainerAsync(string id, bool force = false, bool removeVolumes = false, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, $"/containers/{Escape(id)}" + Query(("force", force ? "1" : null), ("v", removeVolumes ? "1" : null)), cancellationToken);

    public Task ResizeContainerAsync(string id, int height, int width, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/resize" + Query(("h", Num(height)), ("w", Num(width))), cancellationToken);

    public Task<List<ContainerSummary>> ListContainersAsync(bool all = false, IEnumerable<KeyValuePair<string, string>>? filters = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var filterText = filters is null ? null : EncodeFilters(filters);
        return GetJsonAsync(HttpMethod.Get, "/containers/json" + Query(("all", all ? "1" : null), ("limit", limit is { } l ? Num(l) : null), ("filters", filterText == "{}" ? null : filterText)),
            ContainerJsonContext.Default.ListContainerSummary, cancellationToken);
    }

    public Task<ContainerInspectResponse> InspectContainerAsync(string id, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, $"/containers/{Escape(id)}/json", ContainerJsonContext.Default.ContainerInspectResponse, cancellationToken);

    /// <summary>The daemon's container JSON verbatim (for `inspect`).</summary>
    public Task<string> InspectContainerRawAsync(string id, CancellationToken cancellationToken = default) =>
        GetRawJsonAsync($"/containers/{Escape(id)}/json", cancellationToken);

    /// <summary>
    /// Registers a wait and returns as soon as the daemon flushed the response headers, so the caller can start
    /// the container knowing the wait is in place (the docker run ordering). The inner task completes with the
    /// exit status.
    /// </summary>
    public async Task<Task<ContainerWaitResponse>> BeginWaitContainerAsync(string id, string? condition = null, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Post, $"/containers/{Escape(id)}/wait" + Query(("condition", condition)), null, cancellationToken, streaming: true).ConfigureAwait(false);
        return ReadWaitAsync(response, cancellationToken);
    }

    public async Task<ContainerWaitResponse> WaitContainerAsync(string id, string? condition = null, CancellationToken cancellationToken = default) =>
        await (await BeginWaitContainerAsync(id, condition, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    private static async Task<ContainerWaitResponse> ReadWaitAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync(stream, ContainerJsonContext.Default.ContainerWaitResponse, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException("the daemon answered the wait with null");
        }
    }

    /// <summary>
    /// Opens the log stream. Without a TTY it is stdcopy-framed (read it with <see cref="StdCopyReader"/>); with
    /// one it is raw. Dispose the returned stream to stop following.
    /// </summary>
    public async Task<Stream> GetContainerLogsAsync(string id, LogsOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var response = await SendAsync(HttpMethod.Get, $"/containers/{Escape(id)}/logs" + Query(
            ("stdout", Bool(options.Stdout)), ("stderr", Bool(options.Stderr)), ("follow", options.Follow ? "1" : null),
            ("timestamps", options.Timestamps ? "1" : null), ("tail", options.Tail), ("since", options.Since), ("until", options.Until)),
            null, cancellationToken, streaming: true).ConfigureAwait(false);
        return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Attaches with a real HTTP upgrade (101, <c>Upgrade: tcp</c>); see <see cref="HijackedConnection"/>.</summary>
    public async Task<HijackedConnection> AttachContainerAsync(string id, AttachOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = await PrefixAsync(cancellationToken).ConfigureAwait(false);
        var path = prefix + $"/containers/{Escape(id)}/attach" + Query(
            ("detachKeys", options.DetachKeys), ("logs", options.Logs ? "1" : null), ("stderr", options.Stderr ? "1" : null),
            ("stdin", options.Stdin ? "1" : null), ("stdout", options.Stdout ? "1" : null), ("stream", "1"));
        return await HijackedConnection.OpenAsync(Endpoint, HostHeader, path, UserAgent, cancellationToken).ConfigureAwait(false);
    }
}
