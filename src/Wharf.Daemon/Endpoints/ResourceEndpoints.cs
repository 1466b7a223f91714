using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;

namespace Wharf.Daemon.Endpoints;

/// <summary>Container resources (engine-api.md §4.6, §4.12): <c>POST /containers/{id}/update</c> and
/// <c>GET /containers/{id}/stats</c>.</summary>
internal sealed class ResourceEndpoints(ContainerService containers)
{
    public void Map(Router r)
    {
        r.Post("/containers/{id}/update", UpdateAsync);
        r.Get("/containers/{id}/stats", StatsAsync);
    }

    private async Task UpdateAsync(HttpContext c, CancellationToken ct)
    {
        if (!c.Request.HasBody) throw WharfException.Invalid("invalid JSON: request body is empty");
        // The body is moby's UpdateConfig: HostConfig's resource fields plus RestartPolicy, so HostConfig reads it.
        var body = await JsonSerializer.DeserializeAsync(c.Request.Body, ContainerJsonContext.Default.HostConfig, ct)
            ?? throw WharfException.Invalid("invalid JSON: request body is null");
        var warnings = await containers.UpdateAsync(c.Request.RouteValues["id"], body, ct);
        await c.WriteJsonAsync(200, new ContainerUpdateResponse { Warnings = [.. warnings] }, ContainerJsonContext.Default.ContainerUpdateResponse, ct);
    }

    private async Task StatsAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        bool stream = q.Bool("stream", defaultValue: true);
        bool oneShot = q.Bool("one-shot");
        var samples = containers.StatsAsync(c.Request.RouteValues["id"], stream, oneShot, ct);
        if (!stream)
        {
            await foreach (var s in samples.WithCancellation(ct))
                await c.WriteJsonAsync(200, s, ContainerJsonContext.Default.ContainerStatsResponse, ct);
            return;
        }
        // Errors (unknown container, stream with one-shot) must be a status, so the first sample is taken
        // before the 200 headers go out.
        await using var e = samples.GetAsyncEnumerator(ct);
        if (!await e.MoveNextAsync()) return;
        var body = await c.StartStreamAsync("application/json", ct);
        do
        {
            await body.WriteAsync(HttpContext.SerializeJson(e.Current, ContainerJsonContext.Default.ContainerStatsResponse), ct);
            await body.FlushAsync(ct);
        }
        while (await e.MoveNextAsync());
        await c.OpenStream!.CompleteAsync(ct);
    }
}
