using Wharf.Api.Containers;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

public sealed class RestartRulesTests
{
    [Theory]
    [InlineData("no", 1, 0, false)]
    [InlineData("always", 0, 50, true)]
    [InlineData("unless-stopped", 0, 50, true)]
    [InlineData("on-failure", 0, 0, false)]
    [InlineData("on-failure", 3, 1000, true)]
    public void PolicyDecidesFromTheExitCode(string name, int exitCode, int restarts, bool expected) =>
        Assert.Equal(expected, RestartRules.ShouldRestart(new RestartPolicy { Name = name }, exitCode, restarts));

    [Fact]
    public void OnFailureStopsAtItsRetryCount()
    {
        var policy = new RestartPolicy { Name = "on-failure", MaximumRetryCount = 2 };
        Assert.True(RestartRules.ShouldRestart(policy, 1, 0));
        Assert.True(RestartRules.ShouldRestart(policy, 1, 1));
        Assert.False(RestartRules.ShouldRestart(policy, 1, 2));
    }

    [Fact]
    public void BackoffStartsAt100MsDoublesAndIsCappedAtAMinute()
    {
        var quick = TimeSpan.FromSeconds(1);
        var delays = new List<TimeSpan>();
        var d = TimeSpan.Zero;
        for (int i = 0; i < 12; i++) delays.Add(d = RestartRules.NextDelay(d, quick));
        Assert.Equal([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000],
            delays.Select(x => (int)x.TotalMilliseconds));
    }

    [Fact]
    public void BackoffResetsAfterARunOfTenSeconds() =>
        Assert.Equal(TimeSpan.FromMilliseconds(100), RestartRules.NextDelay(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)));
}
