using System.Text.Json;
using Wharf.Api.Volumes;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Volumes;

namespace Wharf.Daemon.Endpoints;

/// <summary>The /volumes routes (engine-api.md §7.2).</summary>
internal sealed class VolumeEndpoints(VolumeService volumes)
{
    /// <summary>From this API version on, prune takes only anonymous volumes unless all=true (moby).</summary>
    private static readonly Version PruneAnonymousOnlyFrom = new(1, 42);

    public void Map(Router r)
    {
        r.Get("/volumes", async (c, ct) =>
        {
            var list = new VolumeListResponse { Volumes = volumes.List(c.Request.Query.Filters()), Warnings = [] };
            await c.WriteJsonAsync(200, list, VolumeJsonContext.Default.VolumeListResponse, ct);
        });
        r.Post("/volumes/create", CreateAsync);
        r.Post("/volumes/prune", async (c, ct) =>
        {
            var result = volumes.Prune(c.Request.Query.Filters(), allByDefault: c.Request.ApiVersion < PruneAnonymousOnlyFrom);
            await c.WriteJsonAsync(200, result, VolumeJsonContext.Default.VolumePruneResponse, ct);
        });
        r.Get("/volumes/{name}", (c, ct) => c.WriteJsonAsync(200, volumes.Inspect(Name(c)), VolumeJsonContext.Default.Volume, ct));
        r.Delete("/volumes/{name}", async (c, ct) =>
        {
            volumes.Remove(Name(c), c.Request.Query.Bool("force"));
            await c.WriteNoContentAsync(204, ct);
        });
    }

    private static string Name(HttpContext c) => c.Request.RouteValues["name"];

    private async Task CreateAsync(HttpContext c, CancellationToken ct)
    {
        VolumeCreateRequest body = new();
        if (c.Request.HasBody)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync(c.Request.Body, VolumeJsonContext.Default.VolumeCreateRequest, ct) ?? new();
            }
            catch (JsonException ex) { throw WharfException.Invalid("invalid JSON: " + ex.Message); }
        }
        var volume = volumes.Create(body.Name, body.Driver, body.DriverOpts, body.Labels);
        await c.WriteJsonAsync(201, volume, VolumeJsonContext.Default.Volume, ct);
    }
}
