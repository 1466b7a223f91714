using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

public sealed class ContainerRulesTests
{
    [Theory]
    [InlineData("web", "/web")]
    [InlineData("/web", "/web")]
    [InlineData("a.b_c-d", "/a.b_c-d")]
    [InlineData("0x", "/0x")]
    public void ValidNamesAreCanonicalised(string name, string expected) => Assert.Equal(expected, ContainerNames.Normalize(name));

    [Theory]
    [InlineData("a")]
    [InlineData("_web")]
    [InlineData("-web")]
    [InlineData("we b")]
    [InlineData("web/x")]
    [InlineData("")]
    public void InvalidNamesAreRejectedWithDockersMessage(string name)
    {
        var ex = Assert.Throws<WharfException>(() => ContainerNames.Normalize(name));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", ex.Message);
    }

    [Fact]
    public void RandomNamesAreValidAdjectiveSurname()
    {
        for (int i = 0; i < 200; i++)
        {
            var n = ContainerNames.Random();
            Assert.Matches("^[a-z]+_[a-z]+$", n);
            ContainerNames.Normalize(n);
        }
        Assert.Matches("^[a-z]+_[a-z]+[0-9]$", ContainerNames.Random(1));
    }

    [Theory]
    [InlineData(0, "Less than a second")]
    [InlineData(0.9, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(2, "2 seconds")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(119, "About a minute")]
    [InlineData(120, "2 minutes")]
    [InlineData(59 * 60, "59 minutes")]
    [InlineData(60 * 60, "About an hour")]
    [InlineData(89 * 60, "About an hour")]
    [InlineData(90 * 60, "2 hours")]
    [InlineData(47 * 3600, "47 hours")]
    [InlineData(48 * 3600, "2 days")]
    [InlineData(14 * 86400, "2 weeks")]
    [InlineData(60 * 86400, "2 months")]
    [InlineData(730 * 86400, "2 years")]
    public void HumanDurationMatchesGoUnits(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void StatusTextFollowsDockerStateString()
    {
        var now = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("Created", ContainerService.StatusText(new ContainerStateRecord(), now));
        Assert.Equal("Up 5 minutes", ContainerService.StatusText(new ContainerStateRecord { Status = "running", StartedAt = now.AddMinutes(-5) }, now));
        Assert.Equal("Exited (3) 3 seconds ago", ContainerService.StatusText(
            new ContainerStateRecord { Status = "exited", ExitCode = 3, StartedAt = now.AddMinutes(-1), FinishedAt = now.AddSeconds(-3) }, now));
        Assert.Equal("Removal In Progress", ContainerService.StatusText(
            new ContainerStateRecord { Status = "exited", RemovalInProgress = true, StartedAt = now.AddMinutes(-1), FinishedAt = now }, now));
        // A failed start leaves the container "created" with an exit code: still shown as Created.
        Assert.Equal("Created", ContainerService.StatusText(new ContainerStateRecord { ExitCode = 127 }, now));
    }

    [Fact]
    public void TimesAreGoRfc3339Nano()
    {
        Assert.Equal("0001-01-01T00:00:00Z", ContainerService.FormatTime(default));
        Assert.Equal("2025-01-01T00:00:00Z", ContainerService.FormatTime(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2025-01-01T00:00:00.1234567Z", ContainerService.FormatTime(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567)));
        Assert.Equal("2025-01-01T00:00:00.5Z", ContainerService.FormatTime(new DateTimeOffset(2025, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)).AddMilliseconds(500)));
    }

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("SIGTERM", 15)]
    [InlineData("sigint", 2)]
    [InlineData("9", 9)]
    [InlineData("KILL", 9)]
    [InlineData("SIGRTMIN+3", 37)]
    public void SignalsParse(string s, int n) => Assert.Equal(n, Signals.Parse(s));

    [Theory]
    [InlineData("NOPE")]
    [InlineData("0")]
    [InlineData("65")]
    public void BadSignalsAreInvalid(string s) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => Signals.Parse(s)).Kind);
}
