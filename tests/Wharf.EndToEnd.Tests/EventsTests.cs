using System.Globalization;

namespace Wharf.EndToEnd.Tests;

/// <summary>`docker events`: lifecycle events of a container replayed through since/until and filters.</summary>
[Collection(ContainersCollection.Name)]
public sealed class EventsTests(DaemonFixture wharf)
{
    private static string Unix(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Events_replays_a_run_rm_lifecycle_in_order()
    {
        var name = wharf.UniqueName("events");
        var t0 = DateTimeOffset.UtcNow.AddSeconds(-1);
        (await wharf.Docker("run", "--rm", "--name", name, "busybox", "true")).EnsureSuccess();
        var t1 = DateTimeOffset.UtcNow.AddSeconds(2);

        var result = (await wharf.Docker("events", "--since", Unix(t0), "--until", Unix(t1),
            "--filter", "container=" + name, "--format", "{{.Action}}")).EnsureSuccess();

        var actions = result.StdoutLines.ToList();
        int create = actions.IndexOf("create"), start = actions.IndexOf("start"),
            die = actions.IndexOf("die"), destroy = actions.IndexOf("destroy");
        Assert.True(create >= 0 && create < start && start < die && die < destroy, result.ToString());
    }

    [Fact]
    public async Task Events_die_carries_the_exit_code_and_other_containers_are_filtered_out()
    {
        var name = wharf.UniqueName("evexit");
        var other = wharf.UniqueName("evother");
        var t0 = DateTimeOffset.UtcNow.AddSeconds(-1);
        await wharf.Docker("run", "--rm", "--name", name, "busybox", "sh", "-c", "exit 3");
        (await wharf.Docker("run", "--rm", "--name", other, "busybox", "true")).EnsureSuccess();
        var t1 = DateTimeOffset.UtcNow.AddSeconds(1);

        var result = (await wharf.Docker("events", "--since", Unix(t0), "--until", Unix(t1),
            "--filter", "container=" + name, "--filter", "event=die",
            "--format", "{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}")).EnsureSuccess();

        Assert.Equal([name + " 3"], result.StdoutLines);
    }

    [Fact]
    public async Task Events_streams_live_events_until_until_passes()
    {
        var name = wharf.UniqueName("evlive");
        var until = DateTimeOffset.UtcNow.AddSeconds(4);
        var watching = wharf.Docker("events", "--until", Unix(until), "--filter", "container=" + name,
            "--filter", "event=start", "--format", "{{.Action}} {{.Actor.Attributes.name}}");
        await Task.Delay(TimeSpan.FromSeconds(1)); // let the subscription register before the container starts
        (await wharf.Docker("run", "--rm", "--name", name, "busybox", "true")).EnsureSuccess();

        var result = (await watching).EnsureSuccess();
        Assert.Equal(["start " + name], result.StdoutLines);
    }

    [Fact]
    public async Task Events_with_an_unknown_filter_fails()
    {
        var result = await wharf.Docker("events", "--since", "1", "--until", "2", "--filter", "bogus=1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("invalid filter 'bogus'", result.Stderr, StringComparison.Ordinal);
    }
}
