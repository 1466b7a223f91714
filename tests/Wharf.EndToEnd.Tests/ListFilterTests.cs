namespace Wharf.EndToEnd.Tests;

/// <summary>`docker ps` filters select exactly the containers a user asked for.</summary>
[Collection(ContainersCollection.Name)]
public sealed class ListFilterTests(DaemonFixture wharf)
{
    private async Task<string[]> Names(params string[] psArgs) =>
        (await wharf.Docker(["ps", .. psArgs, "--format", "{{.Names}}"])).EnsureSuccess().StdoutLines;

    [Fact]
    public async Task Status_exited_lists_stopped_containers_only()
    {
        var exited = wharf.UniqueName("exited");
        var running = wharf.UniqueName("running");
        (await wharf.Docker("run", "--name", exited, "busybox", "true")).EnsureSuccess();
        (await wharf.Docker("run", "-d", "--name", running, "busybox", "sleep", "60")).EnsureSuccess();

        var names = await Names("-a", "--filter", "status=exited");

        Assert.Contains(exited, names);
        Assert.DoesNotContain(running, names);
        (await wharf.Docker("rm", "-f", exited, running)).EnsureSuccess();
    }

    [Fact]
    public async Task Ps_without_all_hides_exited_containers()
    {
        var exited = wharf.UniqueName("hidden");
        (await wharf.Docker("run", "--name", exited, "busybox", "true")).EnsureSuccess();

        Assert.DoesNotContain(exited, await Names());
        Assert.Contains(exited, await Names("-a"));
        (await wharf.Docker("rm", exited)).EnsureSuccess();
    }

    [Fact]
    public async Task Name_filter_selects_by_name()
    {
        var wanted = wharf.UniqueName("wanted");
        var other = wharf.UniqueName("other");
        (await wharf.Docker("create", "--name", wanted, "busybox", "true")).EnsureSuccess();
        (await wharf.Docker("create", "--name", other, "busybox", "true")).EnsureSuccess();

        var names = await Names("-a", "--filter", "name=" + wanted);

        Assert.Equal([wanted], names);
        (await wharf.Docker("rm", wanted, other)).EnsureSuccess();
    }

    [Fact]
    public async Task Label_filter_selects_by_label_and_value()
    {
        var labelled = wharf.UniqueName("labelled");
        var otherValue = wharf.UniqueName("othervalue");
        var key = "e2e.label." + wharf.Suffix;
        (await wharf.Docker("create", "--name", labelled, "--label", key + "=yes", "busybox", "true")).EnsureSuccess();
        (await wharf.Docker("create", "--name", otherValue, "--label", key + "=no", "busybox", "true")).EnsureSuccess();

        Assert.Equal([labelled], await Names("-a", "--filter", $"label={key}=yes"));
        Assert.Equal(
            new[] { labelled, otherValue }.Order(StringComparer.Ordinal),
            (await Names("-a", "--filter", "label=" + key)).Order(StringComparer.Ordinal));
        (await wharf.Docker("rm", labelled, otherValue)).EnsureSuccess();
    }

    [Fact]
    public async Task Id_filter_selects_by_id_prefix()
    {
        var name = wharf.UniqueName("byid");
        var id = (await wharf.Docker("create", "--name", name, "busybox", "true")).EnsureSuccess().Stdout.Trim();

        Assert.Equal([name], await Names("-a", "--filter", "id=" + id[..12]));
        (await wharf.Docker("rm", name)).EnsureSuccess();
    }
}
