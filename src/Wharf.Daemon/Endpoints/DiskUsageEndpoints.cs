using Wharf.Api.Daemon;
using Wharf.Daemon.Http;
using Wharf.Engine.DiskUsage;

namespace Wharf.Daemon.Endpoints;

/// <summary>GET /system/df (`docker system df [-v]`).</summary>
internal sealed class DiskUsageEndpoints(DiskUsageService usage)
{
    public void Map(Router r) =>
        r.Get("/system/df", async (c, ct) =>
        {
            var types = c.Request.Query.GetAll("type").Where(t => t.Length > 0).ToList();
            // Every section walks directory trees: keep it off the connection's thread.
            var result = await Task.Run(() => usage.Measure(types), ct);
            await c.WriteJsonAsync(200, result, DiskUsageJsonContext.Default.DiskUsageResponse, ct);
        });
}
