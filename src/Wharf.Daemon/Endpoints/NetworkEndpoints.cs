using System.Text.Json;
using Wharf.Api.Networks;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;
using Wharf.Engine.Networks;

namespace Wharf.Daemon.Endpoints;

/// <summary>The /networks routes (engine-api.md §7.1).</summary>
internal sealed class NetworkEndpoints(NetworkService networks, ContainerService containers)
{
    public void Map(Router r)
    {
        r.Get("/networks", async (c, ct) =>
            await c.WriteJsonAsync(200, networks.List(c.Request.Query.Filters()), NetworkJsonContext.Default.ListNetworkResource, ct));
        r.Get("/networks/{id}", async (c, ct) =>
            await c.WriteJsonAsync(200, networks.Inspect(Id(c)), NetworkJsonContext.Default.NetworkResource, ct));
        r.Post("/networks/create", async (c, ct) =>
        {
            var body = await Body(c, NetworkJsonContext.Default.NetworkCreateRequest, ct);
            var result = await networks.CreateAsync(body);
            await c.WriteJsonAsync(201, result, NetworkJsonContext.Default.NetworkCreateResponse, ct);
        });
        r.Delete("/networks/{id}", async (c, ct) =>
        {
            await networks.RemoveAsync(Id(c));
            await c.WriteNoContentAsync(204, ct);
        });
        r.Post("/networks/prune", async (c, ct) =>
        {
            var result = await networks.PruneAsync(c.Request.Query.Filters());
            await c.WriteJsonAsync(200, result, NetworkJsonContext.Default.NetworkPruneResponse, ct);
        });
        r.Post("/networks/{id}/connect", async (c, ct) =>
        {
            var body = await Body(c, NetworkJsonContext.Default.NetworkConnectRequest, ct);
            await containers.ConnectAsync(Id(c), body.Container, body.EndpointConfig, ct);
            await c.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ct);
        });
        r.Post("/networks/{id}/disconnect", async (c, ct) =>
        {
            var body = await Body(c, NetworkJsonContext.Default.NetworkDisconnectRequest, ct);
            await containers.DisconnectAsync(Id(c), body.Container, body.Force, ct);
            await c.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ct);
        });
    }

    private static string Id(HttpContext c) => c.Request.RouteValues["id"];

    private static async Task<T> Body<T>(HttpContext c, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        if (!c.Request.HasBody) throw WharfException.Invalid("invalid JSON: request body is empty");
        return await JsonSerializer.DeserializeAsync(c.Request.Body, type, ct).ConfigureAwait(false)
            ?? throw WharfException.Invalid("invalid JSON: request body is null");
    }
}
