using Wharf.Api.Containers;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

/// <summary>The healthcheck state machine, driven with explicit times (the clock is whatever the test says).</summary>
public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static long Ns(double seconds) => (long)(seconds * 1_000_000_000);

    private static HealthProbe Probe(double atSeconds, int exitCode) =>
        new(T0.AddSeconds(atSeconds), T0.AddSeconds(atSeconds + 0.1), exitCode, exitCode == 0 ? "ok\n" : "bad\n");

    [Fact]
    public void ProbeCommandFollowsTheTestForm()
    {
        Assert.Equal(["cat", "/x"], HealthRules.ProbeCommand(new HealthConfig { Test = ["CMD", "cat", "/x"] }));
        Assert.Equal(["/bin/sh", "-c", "exit 1"], HealthRules.ProbeCommand(new HealthConfig { Test = ["CMD-SHELL", "exit 1"] }));
        Assert.Equal(["/bin/ash", "-e", "true"], HealthRules.ProbeCommand(new HealthConfig { Test = ["CMD-SHELL", "true"] }, ["/bin/ash", "-e"]));
        Assert.Null(HealthRules.ProbeCommand(new HealthConfig { Test = ["NONE"] }));
        Assert.Null(HealthRules.ProbeCommand(new HealthConfig { Test = [] }));
        Assert.Null(HealthRules.ProbeCommand(null));
    }

    [Theory]
    [InlineData(500_000, 0, 0, "Interval in Healthcheck cannot be less than 1ms")]
    [InlineData(0, 10, 0, "Timeout in Healthcheck cannot be less than 1ms")]
    [InlineData(0, 0, -1, "Retries in Healthcheck cannot be negative")]
    public void InvalidSettingsAreRefusedWithDockersWords(long interval, long timeout, int retries, string message)
    {
        var ex = Assert.Throws<Wharf.Core.WharfException>(() =>
            HealthRules.Validate(new HealthConfig { Interval = interval, Timeout = timeout, Retries = retries }));
        Assert.Equal(Wharf.Core.ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void DefaultsAreDockers()
    {
        var c = new HealthConfig();
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.Interval(c));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.Timeout(c));
        Assert.Equal(TimeSpan.FromSeconds(5), HealthRules.StartInterval(c));
        Assert.Equal(TimeSpan.Zero, HealthRules.StartPeriod(c));
        Assert.Equal(3, HealthRules.Retries(c));
        Assert.Equal("Health check exceeded timeout (30s)", HealthRules.TimeoutMessage(TimeSpan.FromSeconds(30)));
        Assert.Equal("Health check exceeded timeout (500ms)", HealthRules.TimeoutMessage(TimeSpan.FromMilliseconds(500)));
        Assert.Equal("Health check exceeded timeout (1m30s)", HealthRules.TimeoutMessage(TimeSpan.FromSeconds(90)));
    }

    [Fact]
    public void SuccessMakesHealthyAndFailuresUpToRetriesMakeUnhealthy()
    {
        var c = new HealthConfig { Retries = 2 };
        var h = new HealthRecord();

        Assert.True(HealthRules.Apply(h, c, T0, Probe(1, 0)));
        Assert.Equal(("healthy", 0), (h.Status, h.FailingStreak));

        Assert.False(HealthRules.Apply(h, c, T0, Probe(2, 1)));
        Assert.Equal(("healthy", 1), (h.Status, h.FailingStreak));

        Assert.True(HealthRules.Apply(h, c, T0, Probe(3, 1)));
        Assert.Equal(("unhealthy", 2), (h.Status, h.FailingStreak));

        Assert.True(HealthRules.Apply(h, c, T0, Probe(4, 0)));
        Assert.Equal(("healthy", 0), (h.Status, h.FailingStreak));
    }

    [Fact]
    public void FailuresInsideTheStartPeriodDoNotCountWhileStarting()
    {
        var c = new HealthConfig { Retries = 1, StartPeriod = Ns(10) };
        var h = new HealthRecord();

        Assert.False(HealthRules.Apply(h, c, T0, Probe(5, 1)));
        Assert.Equal(("starting", 0), (h.Status, h.FailingStreak));

        Assert.True(HealthRules.Apply(h, c, T0, Probe(11, 1)));
        Assert.Equal(("unhealthy", 1), (h.Status, h.FailingStreak));
    }

    [Fact]
    public void OnceHealthyTheStartPeriodNoLongerProtects()
    {
        var c = new HealthConfig { Retries = 1, StartPeriod = Ns(60) };
        var h = new HealthRecord();
        HealthRules.Apply(h, c, T0, Probe(1, 0));
        Assert.True(HealthRules.Apply(h, c, T0, Probe(2, 1)));
        Assert.Equal("unhealthy", h.Status);
    }

    [Fact]
    public void TheLogKeepsTheLastFiveResults()
    {
        var c = new HealthConfig();
        var h = new HealthRecord();
        for (int i = 0; i < 8; i++) HealthRules.Apply(h, c, T0, Probe(i, 0));
        Assert.Equal([3, 4, 5, 6, 7], h.Log.Select(p => (int)(p.Start - T0).TotalSeconds));
    }

    [Fact]
    public void StartIntervalAppliesOnlyWhileStartingInsideTheStartPeriod()
    {
        var c = new HealthConfig { Interval = Ns(30), StartPeriod = Ns(20), StartInterval = Ns(2) };
        Assert.Equal(TimeSpan.FromSeconds(2), HealthRules.NextDelay(c, "starting", T0, T0.AddSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.NextDelay(c, "healthy", T0, T0.AddSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.NextDelay(c, "starting", T0, T0.AddSeconds(25)));
    }
}
