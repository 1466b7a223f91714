using Wharf.Api.Events;
using Wharf.Daemon.Http;
using Wharf.Engine.Events;

namespace Wharf.Daemon.Endpoints;

/// <summary>GET /events (engine-api.md §8.1): newline-delimited EventMessages, held open until <c>until</c>.</summary>
internal sealed class EventEndpoints(EventLog events)
{
    public void Map(Router r) => r.Get("/events", EventsAsync);

    private async Task EventsAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        // Everything that can be a 400 is checked before the 200 headers go out.
        var filter = EventFilter.Parse(q.Filters());
        var since = EventTimestamp.ParseNanos(q.Get("since"));
        var until = EventTimestamp.ParseNanos(q.Get("until"));
        using var subscription = events.Subscribe(since, until, filter);
        var stream = await c.StartStreamAsync("application/json", ct);
        // A client that hangs up is noticed at the next write (IOException, handled by the connection).
        await foreach (var m in subscription.ReadAllAsync(ct))
            await stream.WriteAsync(HttpContext.SerializeJson(m, EventJsonContext.Default.EventMessage), ct);
        await c.OpenStream!.CompleteAsync(ct);
    }
}
