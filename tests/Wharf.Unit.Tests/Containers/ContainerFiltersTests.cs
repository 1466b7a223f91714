using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

public sealed class ContainerFiltersTests
{
    private static ContainerRecord Web() => new()
    {
        Id = "abc123def4567890",
        Name = "/web",
        Config = new ContainerConfig { Labels = new() { ["k"] = "v", ["com.docker.compose.project"] = "proj" } },
        State = new ContainerStateRecord { Status = "exited", ExitCode = 2 },
        Networks = new() { ["bridge"] = new EndpointSettings() },
    };

    private static Dictionary<string, List<string>> F(string key, params string[] values) => new() { [key] = [.. values] };

    [Fact]
    public void UnknownKeyIsRejected()
    {
        var ex = Assert.Throws<WharfException>(() => ContainerFilters.Validate(F("bogus", "x")));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("invalid filter 'bogus'", ex.Message);
    }

    [Theory]
    [InlineData("created")]
    [InlineData("restarting")]
    [InlineData("running")]
    [InlineData("removing")]
    [InlineData("paused")]
    [InlineData("exited")]
    [InlineData("dead")]
    public void KnownStatusesAreAccepted(string status) => ContainerFilters.Validate(F("status", status));

    [Fact]
    public void BadStatusIsRejected()
    {
        var ex = Assert.Throws<WharfException>(() => ContainerFilters.Validate(F("status", "sleeping")));
        Assert.Equal("invalid filter 'status=sleeping'", ex.Message);
    }

    [Fact]
    public void StatusMatchesState()
    {
        Assert.True(ContainerFilters.Match(Web(), F("status", "exited")));
        Assert.True(ContainerFilters.Match(Web(), F("status", "running", "exited")));
        Assert.False(ContainerFilters.Match(Web(), F("status", "running")));
    }

    [Fact]
    public void NameMatchesExactOrUnanchoredRegexWithAndWithoutSlash()
    {
        Assert.True(ContainerFilters.Match(Web(), F("name", "web")));
        Assert.True(ContainerFilters.Match(Web(), F("name", "/web")));
        Assert.True(ContainerFilters.Match(Web(), F("name", "e")));
        Assert.True(ContainerFilters.Match(Web(), F("name", "^web$")));
        Assert.True(ContainerFilters.Match(Web(), F("name", "nope", "we")));
        Assert.False(ContainerFilters.Match(Web(), F("name", "db")));
        Assert.False(ContainerFilters.Match(Web(), F("name", "[")));
    }

    [Fact]
    public void IdMatchesPrefix()
    {
        Assert.True(ContainerFilters.Match(Web(), F("id", "abc1")));
        Assert.False(ContainerFilters.Match(Web(), F("id", "ffff")));
    }

    [Fact]
    public void LabelsAreAnded()
    {
        Assert.True(ContainerFilters.Match(Web(), F("label", "k")));
        Assert.True(ContainerFilters.Match(Web(), F("label", "k=v", "com.docker.compose.project=proj")));
        Assert.False(ContainerFilters.Match(Web(), F("label", "k=v", "com.docker.compose.project=other")));
        Assert.False(ContainerFilters.Match(Web(), F("label", "missing")));
        Assert.False(ContainerFilters.Match(Web(), F("label", "k=")));
    }

    [Fact]
    public void ExitedAndNetwork()
    {
        Assert.True(ContainerFilters.Match(Web(), F("exited", "2")));
        Assert.False(ContainerFilters.Match(Web(), F("exited", "0")));
        Assert.True(ContainerFilters.Match(Web(), F("network", "bridge")));
        Assert.False(ContainerFilters.Match(Web(), F("network", "host")));
    }
}
