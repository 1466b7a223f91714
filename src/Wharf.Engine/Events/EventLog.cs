using System.Globalization;
using System.Threading.Channels;
using Wharf.Api.Events;
using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Engine.Events;

/// <summary>
/// The daemon's event bus for <c>GET /events</c>: a bounded ring of recent events (so <c>since</c> can replay
/// them, as moby keeps its last events in memory) plus live subscribers. Publishing never blocks: each
/// subscriber has its own unbounded queue, drained by its HTTP stream.
/// </summary>
public sealed class EventLog
{
    private readonly object _sync = new();
    private readonly EventMessage[] _ring;
    private readonly TimeProvider _time;
    private readonly List<Channel<EventMessage>> _subscribers = [];
    private int _start, _count;
    private long _lastNanos;

    public EventLog(TimeProvider time, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _ring = new EventMessage[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>Nanoseconds since the Unix epoch, now.</summary>
    public long NowNanos() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>Stamps (if unstamped), buffers and fans out one event.</summary>
    public void Publish(EventMessage message)
    {
        lock (_sync)
        {
            if (message.TimeNano == 0)
            {
                // Strictly increasing stamps keep the ring ordered even when the clock has 100 ns resolution.
                long now = Math.Max(NowNanos(), _lastNanos + 1);
                message.TimeNano = now;
                message.Time = now / 1_000_000_000;
            }
            _lastNanos = Math.Max(_lastNanos, message.TimeNano);
            _ring[(_start + _count) % _ring.Length] = message;
            if (_count < _ring.Length) _count++;
            else _start = (_start + 1) % _ring.Length;
            foreach (var s in _subscribers) s.Writer.TryWrite(message);
        }
    }

    /// <summary>Converts a container lifecycle event into moby's message (attributes = labels + image + name,
    /// die adds exitCode, kill adds signal) and publishes it.</summary>
    public void Publish(ContainerEvent e) => Publish(ToMessage(e));

    public static EventMessage ToMessage(ContainerEvent e)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.Labels is not null)
            foreach (var (k, v) in e.Labels) attributes[k] = v;
        attributes["image"] = e.Image;
        attributes["name"] = e.Name;
        if (e.ExitCode is int code) attributes["exitCode"] = code.ToString(CultureInfo.InvariantCulture);
        if (e.Signal is int sig) attributes["signal"] = sig.ToString(CultureInfo.InvariantCulture);
        if (e.Attributes is not null)
            foreach (var (k, v) in e.Attributes) attributes[k] = v;
        return new EventMessage
        {
            Status = e.Action,
            Id = e.Id,
            From = e.Image,
            Type = "container",
            Action = e.Action,
            Actor = new EventActor { ID = e.Id, Attributes = attributes },
        };
    }

    /// <summary>The buffered events, oldest first.</summary>
    public IReadOnlyList<EventMessage> Snapshot()
    {
        lock (_sync) return Buffered();
    }

    private List<EventMessage> Buffered()
    {
        var list = new List<EventMessage>(_count);
        for (int i = 0; i < _count; i++) list.Add(_ring[(_start + i) % _ring.Length]);
        return list;
    }

    /// <summary>
    /// Registers a subscriber at once (so no event is missed between the call and the first read) and returns it:
    /// buffered events at or after <paramref name="sinceNanos"/> (none when null), then live events, all matching
    /// <paramref name="filter"/>, ending once <paramref name="untilNanos"/> has passed (never when null).
    /// An <paramref name="untilNanos"/> already in the past only replays. Dispose the subscription to unregister.
    /// </summary>
    public EventSubscription Subscribe(long? sinceNanos, long? untilNanos, EventFilter filter)
    {
        if (sinceNanos is long s && untilNanos is long u && s > u)
            throw WharfException.Invalid($"since time ({FormatNanos(s)}) cannot be after until time ({FormatNanos(u)})");

        var channel = Channel.CreateUnbounded<EventMessage>(new UnboundedChannelOptions { SingleReader = true });
        lock (_sync)
        {
            var past = sinceNanos is long since
                ? Buffered().Where(m => m.TimeNano >= since && (untilNanos is null || m.TimeNano <= untilNanos)).ToList()
                : [];
            long now = NowNanos();
            TimeSpan? remaining = untilNanos is long until ? TimeSpan.FromTicks(Math.Max(0, (until - now) / 100 + 1)) : null;
            bool live = untilNanos is null || untilNanos.Value > now;
            if (live) _subscribers.Add(channel);
            else channel.Writer.TryComplete();
            return new EventSubscription(this, channel, past, untilNanos, live ? remaining : TimeSpan.Zero, filter, _time);
        }
    }

    internal void Unsubscribe(Channel<EventMessage> channel)
    {
        lock (_sync) _subscribers.Remove(channel);
    }

    /// <summary>Live subscribers (for tests and diagnostics).</summary>
    public int SubscriberCount
    {
        get { lock (_sync) return _subscribers.Count; }
    }

    private static string FormatNanos(long nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanos / 100).ToString("yyyy-MM-dd HH:mm:ss.fffffff zzz", CultureInfo.InvariantCulture);
}
