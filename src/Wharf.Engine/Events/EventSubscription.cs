using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Wharf.Api.Events;

namespace Wharf.Engine.Events;

/// <summary>One <c>/events</c> reader: replayed past events, then live ones until its deadline. Disposing it
/// unregisters it from the <see cref="EventLog"/>.</summary>
public sealed class EventSubscription : IDisposable
{
    private readonly EventLog _log;
    private readonly Channel<EventMessage> _channel;
    private readonly IReadOnlyList<EventMessage> _past;
    private readonly long? _untilNanos;
    private readonly TimeSpan? _remaining;
    private readonly EventFilter _filter;
    private readonly TimeProvider _time;
    private int _disposed;

    internal EventSubscription(EventLog log, Channel<EventMessage> channel, IReadOnlyList<EventMessage> past,
        long? untilNanos, TimeSpan? remaining, EventFilter filter, TimeProvider time)
    {
        _log = log;
        _channel = channel;
        _past = past;
        _untilNanos = untilNanos;
        _remaining = remaining;
        _filter = filter;
        _time = time;
    }

    /// <summary>Matching events in order; completes when <c>until</c> passes. Cancellation (the client went away)
    /// throws <see cref="OperationCanceledException"/>.</summary>
    public async IAsyncEnumerable<EventMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var m in _past)
            if (_filter.Matches(m)) yield return m;

        using var deadline = _remaining is TimeSpan left ? new CancellationTokenSource(left, _time) : null;
        using var linked = deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(ct)
            : CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        while (true)
        {
            EventMessage? m;
            try
            {
                if (!await _channel.Reader.WaitToReadAsync(linked.Token)) yield break;
                if (!_channel.Reader.TryRead(out m)) continue;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                yield break; // until has passed: the normal end of the stream
            }
            if (_untilNanos is long until && m.TimeNano > until) yield break;
            if (_filter.Matches(m)) yield return m;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _log.Unsubscribe(_channel);
    }
}
