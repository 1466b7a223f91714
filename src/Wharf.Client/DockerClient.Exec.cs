using Wharf.Api.Exec;

namespace Wharf.Client;

public sealed partial class DockerClient
{
    /// <summary><c>POST /containers/{id}/exec</c>.</summary>
    public Task<ExecCreateResponse> CreateExecAsync(string containerId, ExecCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GetJsonAsync(HttpMethod.Post, $"/containers/{Escape(containerId)}/exec", ExecJsonContext.Default.ExecCreateResponse,
            cancellationToken, JsonBody(request, ExecJsonContext.Default.ExecCreateRequest));
    }

    /// <summary><c>POST /exec/{id}/start</c> with Detach:false: the JSON body goes with the upgrade request.</summary>
    public async Task<HijackedConnection> StartExecAttachedAsync(string execId, ExecStartRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prefix = await PrefixAsync(cancellationToken).ConfigureAwait(false);
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request, ExecJsonContext.Default.ExecStartRequest);
        return await HijackedConnection.OpenAsync(Endpoint, HostHeader, prefix + $"/exec/{Escape(execId)}/start", UserAgent,
            cancellationToken, body).ConfigureAwait(false);
    }

    /// <summary><c>POST /exec/{id}/start</c> with Detach:true.</summary>
    public async Task StartExecDetachedAsync(string execId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/exec/{Escape(execId)}/start",
            JsonBody(new ExecStartRequest { Detach = true }, ExecJsonContext.Default.ExecStartRequest), cancellationToken).ConfigureAwait(false);
    }

    public Task ResizeExecAsync(string execId, int height, int width, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, $"/exec/{Escape(execId)}/resize" + Query(("h", Num(height)), ("w", Num(width))), cancellationToken);

    public Task<ExecInspectResponse> InspectExecAsync(string execId, CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, $"/exec/{Escape(execId)}/json", ExecJsonContext.Default.ExecInspectResponse, cancellationToken);
}
