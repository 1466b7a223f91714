using Wharf.Api.Containers;
using Wharf.Api.Networks;
using Wharf.Api.Volumes;

namespace Wharf.Client;

/// <summary>Container management calls beyond the run path (restart, pause, rename, top, diff, stats, update), and
/// the network and volume endpoints.</summary>
public sealed partial class DockerClient
{
    public Task RestartContainerAsync(string id, int? timeoutSeconds = null, string? signal = null, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/restart" + Query(("t", timeoutSeconds is { } t ? Num(t) : null), ("signal", signal)), cancellationToken);

    public Task PauseContainerAsync(string id, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/pause", cancellationToken);

    public Task UnpauseContainerAsync(string id, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/unpause", cancellationToken);

    public Task RenameContainerAsync(string id, string newName, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/containers/{Escape(id)}/rename" + Query(("name", newName)), cancellationToken);

    public Task<ContainerTopResponse> TopContainerAsync(string id, string? psArgs = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, $"/containers/{Escape(id)}/top" + Query(("ps_args", psArgs)), ContainerJsonContext.Default.ContainerTopResponse, cancellationToken);

    public Task<List<FilesystemChange>> ContainerChangesAsync(string id, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, $"/containers/{Escape(id)}/changes", ContainerJsonContext.Default.ListFilesystemChange, cancellationToken);

    /// <summary>One stats sample (<c>stream=false</c>): the daemon fills <c>precpu_stats</c> from a sample taken just
    /// before, so the CPU percentage can be computed from this answer alone.</summary>
    public Task<ContainerStatsResponse> ContainerStatsOnceAsync(string id, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, $"/containers/{Escape(id)}/stats?stream=false", ContainerJsonContext.Default.ContainerStatsResponse, cancellationToken);

    /// <summary><c>POST /containers/{id}/update</c> with the resource fields of a host config (what `docker update` sends).</summary>
    public Task<ContainerUpdateResponse> UpdateContainerAsync(string id, HostConfig resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return GetJsonAsync(HttpMethod.Post, $"/containers/{Escape(id)}/update", ContainerJsonContext.Default.ContainerUpdateResponse, cancellationToken,
            JsonBody(resources, ContainerJsonContext.Default.HostConfig));
    }

    public Task<ContainerPruneResponse> PruneContainersAsync(IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Post, "/containers/prune" + FilterQuery(filters), ContainerJsonContext.Default.ContainerPruneResponse, cancellationToken);

    // ---- networks ------------------------------------------------------------------------------------------

    public Task<List<NetworkResource>> ListNetworksAsync(IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, "/networks" + FilterQuery(filters), NetworkJsonContext.Default.ListNetworkResource, cancellationToken);

    public Task<NetworkCreateResponse> CreateNetworkAsync(NetworkCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GetJsonAsync(HttpMethod.Post, "/networks/create", NetworkJsonContext.Default.NetworkCreateResponse, cancellationToken,
            JsonBody(request, NetworkJsonContext.Default.NetworkCreateRequest));
    }

    public Task RemoveNetworkAsync(string id, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, $"/networks/{Escape(id)}", cancellationToken);

    public Task<NetworkPruneResponse> PruneNetworksAsync(IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Post, "/networks/prune" + FilterQuery(filters), NetworkJsonContext.Default.NetworkPruneResponse, cancellationToken);

    public async Task ConnectNetworkAsync(string network, NetworkConnectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await SendAsync(HttpMethod.Post, $"/networks/{Escape(network)}/connect",
            JsonBody(request, NetworkJsonContext.Default.NetworkConnectRequest), cancellationToken).ConfigureAwait(false);
    }

    public async Task DisconnectNetworkAsync(string network, NetworkDisconnectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await SendAsync(HttpMethod.Post, $"/networks/{Escape(network)}/disconnect",
            JsonBody(request, NetworkJsonContext.Default.NetworkDisconnectRequest), cancellationToken).ConfigureAwait(false);
    }

    // ---- volumes -------------------------------------------------------------------------------------------

    public Task<VolumeListResponse> ListVolumesAsync(IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, "/volumes" + FilterQuery(filters), VolumeJsonContext.Default.VolumeListResponse, cancellationToken);

    public Task<Volume> CreateVolumeAsync(VolumeCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GetJsonAsync(HttpMethod.Post, "/volumes/create", VolumeJsonContext.Default.Volume, cancellationToken,
            JsonBody(request, VolumeJsonContext.Default.VolumeCreateRequest));
    }

    public Task RemoveVolumeAsync(string name, bool force = false, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, $"/volumes/{Escape(name)}" + Query(("force", force ? "1" : null)), cancellationToken);

    public Task<VolumePruneResponse> PruneVolumesAsync(IEnumerable<KeyValuePair<string, string>>? filters = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Post, "/volumes/prune" + FilterQuery(filters), VolumeJsonContext.Default.VolumePruneResponse, cancellationToken);

    private static string FilterQuery(IEnumerable<KeyValuePair<string, string>>? filters)
    {
        var text = filters is null ? null : EncodeFilters(filters);
        return Query(("filters", text is null or "{}" ? null : text));
    }
}
