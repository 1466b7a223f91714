using Wharf.Api;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Images;

namespace Wharf.Daemon.Endpoints;

/// <summary>The /images routes available so far (engine-api.md §5): list, inspect, tag, remove, import.</summary>
internal sealed class ImageEndpoints(ImageService images, Handler? pull = null)
{
    public void Map(Router r)
    {
        r.Get("/images/json", (c, ct) =>
        {
            var filters = c.Request.Query.Filters().ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
            var list = images.List(c.Request.Query.Bool("all"), filters);
            return c.WriteJsonAsync(200, [.. list], ApiJsonContext.Default.ListImageSummary, ct);
        });
        r.Post("/images/create", CreateAsync);
        r.Get("/images/get", (c, ct) => SaveAsync(c, c.Request.Query.GetAll("names"), ct));
        r.Get("/images/{name*}/get", (c, ct) => SaveAsync(c, [c.Request.RouteValues["name"]], ct));
        r.Post("/images/load", LoadAsync);
        r.Post("/images/prune", (c, ct) =>
        {
            var filters = c.Request.Query.Filters().ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
            return c.WriteJsonAsync(200, images.Prune(filters), ApiJsonContext.Default.ImagePruneResponse, ct);
        });
        r.Get("/images/{name*}/json", (c, ct) =>
            c.WriteJsonAsync(200, images.Inspect(c.Request.RouteValues["name"]), ApiJsonContext.Default.ImageInspect, ct));
        r.Get("/images/{name*}/history", (c, ct) =>
        {
            List<Wharf.Api.Images.HistoryResponseItem> items = [.. images.History(c.Request.RouteValues["name"]).Select(h => new Wharf.Api.Images.HistoryResponseItem
            {
                Id = h.Id, Created = h.Created, CreatedBy = h.CreatedBy, Tags = h.Tags?.ToList(), Size = h.Size, Comment = h.Comment,
            })];
            return c.WriteJsonAsync(200, items, ApiJsonContext.Default.ListHistoryResponseItem, ct);
        });
        r.Post("/images/{name*}/tag", async (c, ct) =>
        {
            var repo = c.Request.Query.Get("repo");
            if (string.IsNullOrEmpty(repo)) throw WharfException.Invalid("repository name must have at least one component");
            images.Tag(c.Request.RouteValues["name"], repo, c.Request.Query.Get("tag"));
            await c.WriteNoContentAsync(201, ct);
        });
        r.Delete("/images/{name*}", (c, ct) =>
        {
            var result = images.Remove(c.Request.RouteValues["name"], c.Request.Query.Bool("force"), c.Request.Query.Bool("noprune"));
            return c.WriteJsonAsync(200, [.. result], ApiJsonContext.Default.ListImageDeleteResponseItem, ct);
        });
    }

    /// <summary>GET /images/get: errors (unknown name) are answered before the tar starts; the blobs stream after.</summary>
    private async Task SaveAsync(HttpContext c, IReadOnlyList<string> names, CancellationToken ct)
    {
        using var writer = images.PrepareSave([.. names.Where(n => n.Length > 0)]);
        var output = await c.StartStreamAsync("application/x-tar", ct);
        await writer.WriteAsync(output, ct);
    }

    /// <summary>POST /images/load: the whole archive is verified before anything is answered, so a bad one gets a
    /// plain error response (and leaves nothing); then one "Loaded image" line per name.</summary>
    private async Task LoadAsync(HttpContext c, CancellationToken ct)
    {
        var lines = await Task.Run(() => images.Load(c.Request.Body, ct), ct);
        var body = new List<byte>();
        foreach (var line in lines)
            body.AddRange(HttpContext.SerializeJson(new JsonMessage { Stream = line + "\n" }, ApiJsonContext.Default.JsonMessage));
        await c.WriteBytesAsync(200, "application/json", body.ToArray(), ct);
    }

    /// <summary>POST /images/create: import (fromSrc=-) here; a pull (fromImage=) goes to the distribution endpoints.</summary>
    private async Task CreateAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        var fromSrc = q.Get("fromSrc");
        if (fromSrc is null)
        {
            if (pull is not null)
            {
                await pull(c, ct);
                return;
            }
            var from = q.Get("fromImage") ?? "";
            throw WharfException.NotImplemented($"pull access denied for {from}: this daemon has no registry client");
        }
        if (fromSrc != "-") throw WharfException.NotImplemented("importing from a URL is not supported; pipe the tar in with fromSrc=-");

        var changes = q.GetAll("changes").Where(s => s.Length > 0).ToList();
        // The importer reads the body synchronously; keep it off the connection's async path.
        var id = await Task.Run(() => images.Import(c.Request.Body, q.Get("repo"), q.Get("tag"), q.Get("message"), changes, ct), ct);
        await c.WriteJsonAsync(200, new JsonMessage { Status = id }, ApiJsonContext.Default.JsonMessage, ct);
    }
}
