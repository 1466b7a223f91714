using Wharf.Api.Events;
using Wharf.Core;
using Wharf.Engine.Containers;
using Wharf.Engine.Events;

namespace Wharf.Unit.Tests.Events;

public sealed class EventLogTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static long Nanos(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static ContainerEvent Ev(string action, string name = "web", int? exit = null,
        IReadOnlyDictionary<string, string>? labels = null) =>
        new(action, "abc123" + name, name, "busybox", labels, exit);

    private static async Task<List<EventMessage>> Drain(EventSubscription s, int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var list = new List<EventMessage>();
        await foreach (var m in s.ReadAllAsync(cts.Token)) list.Add(m);
        return list;
    }

    [Fact]
    public void Container_event_has_the_moby_shape()
    {
        var clock = new SteppingClock(T0);
        var log = new EventLog(clock);
        log.Publish(Ev("die", exit: 3, labels: new Dictionary<string, string> { ["com.example"] = "x" }));

        var m = Assert.Single(log.Snapshot());
        Assert.Equal("die", m.Status);
        Assert.Equal("abc123web", m.Id);
        Assert.Equal("busybox", m.From);
        Assert.Equal("container", m.Type);
        Assert.Equal("die", m.Action);
        Assert.Equal("abc123web", m.Actor.ID);
        Assert.Equal("web", m.Actor.Attributes["name"]);
        Assert.Equal("busybox", m.Actor.Attributes["image"]);
        Assert.Equal("3", m.Actor.Attributes["exitCode"]);
        Assert.Equal("x", m.Actor.Attributes["com.example"]);
        Assert.Equal("local", m.Scope);
        Assert.Equal(Nanos(T0), m.TimeNano);
        Assert.Equal(Nanos(T0) / 1_000_000_000, m.Time);
    }

    [Fact]
    public void Serialized_message_keeps_the_deprecated_fields_and_wire_names()
    {
        var log = new EventLog(new SteppingClock(T0));
        log.Publish(Ev("start"));
        var json = System.Text.Json.JsonSerializer.Serialize(log.Snapshot()[0], EventJsonContext.Default.EventMessage);

        Assert.StartsWith("{\"status\":\"start\",\"id\":\"abc123web\",\"from\":\"busybox\",\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc123web\",", json);
        Assert.EndsWith("\"scope\":\"local\",\"time\":1735689600,\"timeNano\":1735689600000000000}", json);
    }

    [Fact]
    public void Ring_keeps_only_the_last_capacity_events_in_order()
    {
        var clock = new SteppingClock(T0);
        var log = new EventLog(clock, capacity: 3);
        for (int i = 0; i < 5; i++) { log.Publish(Ev("start", "c" + i)); clock.Now = clock.Now.AddSeconds(1); }

        Assert.Equal(["c2", "c3", "c4"], log.Snapshot().Select(m => m.Actor.Attributes["name"]));
    }

    [Fact]
    public void Stamps_strictly_increase_when_the_clock_stands_still()
    {
        var log = new EventLog(new SteppingClock(T0));
        log.Publish(Ev("create"));
        log.Publish(Ev("start"));
        var s = log.Snapshot();
        Assert.True(s[1].TimeNano > s[0].TimeNano);
    }

    [Fact]
    public async Task Since_and_until_in_the_past_replay_only_that_window_and_end()
    {
        var clock = new SteppingClock(T0);
        var log = new EventLog(clock);
        foreach (var a in new[] { "create", "start", "die", "destroy" }) { log.Publish(Ev(a)); clock.Now = clock.Now.AddSeconds(10); }

        using var sub = log.Subscribe(Nanos(T0.AddSeconds(10)), Nanos(T0.AddSeconds(20)), EventFilter.None);
        var got = await Drain(sub);

        Assert.Equal(["start", "die"], got.Select(m => m.Action));
        Assert.Equal(0, log.SubscriberCount);
    }

    [Fact]
    public async Task Since_replays_then_streams_live_until_until_passes()
    {
        var log = new EventLog(TimeProvider.System);
        var before = log.NowNanos();
        log.Publish(Ev("create"));

        using var sub = log.Subscribe(before, log.NowNanos() + 500_000_000, EventFilter.None);
        Assert.Equal(1, log.SubscriberCount);
        var reading = Drain(sub);
        log.Publish(Ev("start"));
        var got = await reading;

        Assert.Equal(["create", "start"], got.Select(m => m.Action));
    }

    [Fact]
    public async Task Without_since_only_live_events_are_sent()
    {
        var log = new EventLog(TimeProvider.System);
        log.Publish(Ev("create"));
        using var sub = log.Subscribe(null, log.NowNanos() + 300_000_000, EventFilter.None);
        log.Publish(Ev("start"));

        Assert.Equal(["start"], (await Drain(sub)).Select(m => m.Action));
    }

    [Fact]
    public async Task Cancelling_the_reader_throws_and_dispose_unsubscribes()
    {
        var log = new EventLog(TimeProvider.System);
        var sub = log.Subscribe(null, null, EventFilter.None);
        using var cts = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in sub.ReadAllAsync(cts.Token)) { }
        });
        sub.Dispose();
        Assert.Equal(0, log.SubscriberCount);
    }

    [Fact]
    public void Since_after_until_is_invalid()
    {
        var log = new EventLog(new SteppingClock(T0));
        var e = Assert.Throws<WharfException>(() => log.Subscribe(20, 10, EventFilter.None));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData("1735689600", 1735689600_000000000L)]
    [InlineData("1735689600.5", 1735689600_500000000L)]
    [InlineData("1735689600.000000001", 1735689600_000000001L)]
    [InlineData("2025-01-01T00:00:01Z", 1735689601_000000000L)]
    [InlineData("2025-01-01T01:00:00+01:00", 1735689600_000000000L)]
    public void Timestamps_parse_unix_seconds_and_rfc3339(string text, long nanos) =>
        Assert.Equal(nanos, EventTimestamp.ParseNanos(text));

    [Fact]
    public void Empty_timestamp_is_no_bound_and_garbage_is_invalid()
    {
        Assert.Null(EventTimestamp.ParseNanos(""));
        Assert.Null(EventTimestamp.ParseNanos(null));
        Assert.Throws<WharfException>(() => EventTimestamp.ParseNanos("yesterday"));
        Assert.Throws<WharfException>(() => EventTimestamp.ParseNanos("12.x"));
    }
}
