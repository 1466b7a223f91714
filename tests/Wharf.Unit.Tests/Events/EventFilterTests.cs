using Wharf.Api.Events;
using Wharf.Core;
using Wharf.Engine.Containers;
using Wharf.Engine.Events;

namespace Wharf.Unit.Tests.Events;

public sealed class EventFilterTests
{
    private static EventMessage Container(string action, string name = "web", string image = "busybox",
        Dictionary<string, string>? labels = null) =>
        EventLog.ToMessage(new ContainerEvent(action, "0123456789ab" + name, name, image, labels));

    private static EventFilter F(params (string Key, string Value)[] pairs) =>
        EventFilter.Parse(pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToList()));

    [Fact]
    public void No_filter_matches_everything() => Assert.True(EventFilter.None.Matches(Container("start")));

    [Fact]
    public void Unknown_key_is_a_400_with_dockers_wording()
    {
        var e = Assert.Throws<WharfException>(() => F(("bogus", "x")));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("invalid filter 'bogus'", e.Message);
    }

    [Fact]
    public void Container_matches_by_name_full_id_or_id_prefix()
    {
        var m = Container("start");
        Assert.True(F(("container", "web")).Matches(m));
        Assert.True(F(("container", "/web")).Matches(m));
        Assert.True(F(("container", m.Actor.ID)).Matches(m));
        Assert.True(F(("container", "0123")).Matches(m));
        Assert.False(F(("container", "db")).Matches(m));
        Assert.True(F(("container", "db"), ("container", "web")).Matches(m)); // values of one key are OR-ed
    }

    [Fact]
    public void Event_type_and_scope_filters()
    {
        var m = Container("die");
        Assert.True(F(("event", "die")).Matches(m));
        Assert.False(F(("event", "start")).Matches(m));
        Assert.True(F(("type", "container")).Matches(m));
        Assert.False(F(("type", "image")).Matches(m));
        Assert.True(F(("scope", "local")).Matches(m));
        Assert.False(F(("type", "container"), ("event", "start")).Matches(m)); // keys are AND-ed
    }

    [Fact]
    public void Event_filter_matches_the_action_before_a_colon()
    {
        var m = Container("health_status: healthy");
        Assert.True(F(("event", "health_status")).Matches(m));
        Assert.True(F(("event", "health_status: healthy")).Matches(m));
    }

    [Fact]
    public void Image_matches_with_or_without_the_latest_tag()
    {
        Assert.True(F(("image", "busybox")).Matches(Container("start")));
        Assert.True(F(("image", "busybox:latest")).Matches(Container("start")));
        Assert.True(F(("image", "busybox")).Matches(Container("start", image: "busybox:1.36")));
        Assert.False(F(("image", "alpine")).Matches(Container("start")));
    }

    [Fact]
    public void Label_matches_key_or_key_value_against_attributes()
    {
        var m = Container("start", labels: new Dictionary<string, string> { ["com.docker.compose.project"] = "demo" });
        Assert.True(F(("label", "com.docker.compose.project")).Matches(m));
        Assert.True(F(("label", "com.docker.compose.project=demo")).Matches(m));
        Assert.False(F(("label", "com.docker.compose.project=other")).Matches(m));
        Assert.False(F(("label", "missing")).Matches(m));
    }

    [Fact]
    public void Daemon_filter_is_accepted() => Assert.True(F(("daemon", "x")).Matches(Container("start")));
}
