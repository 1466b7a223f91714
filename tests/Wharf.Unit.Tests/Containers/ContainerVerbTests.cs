using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

/// <summary>pause/unpause, rename, prune and top over the fake runtime.</summary>
public sealed class ContainerVerbTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-verbs-").FullName;
    private readonly FakeImages _images = new();
    private readonly FakeRuntime _runtime = new() { AutoExit = false };
    private readonly ContainerService _svc;
    private readonly List<string> _events = [];

    public ContainerVerbTests()
    {
        _svc = new ContainerService(Path.Combine(_root, "data"), _images, _runtime, TimeProvider.System, Path.Combine(_root, "run"), _ => { });
        _svc.Event += ev => { lock (_events) _events.Add(ev.Action + " " + ev.Name); };
    }

    public void Dispose()
    {
        // Background exit monitors write state: let them finish before the data root goes, or they recreate it.
        _runtime.ExitAll();
        _svc.WhenBackgroundIdleAsync().Wait(TimeSpan.FromSeconds(10));
        Directory.Delete(_root, recursive: true);
    }

    private static ContainerConfig Busybox(Dictionary<string, string>? labels = null) =>
        new() { Image = "busybox", Cmd = ["sleep", "100"], Labels = labels };

    private async Task<string> RunningAsync(string name)
    {
        var id = (await _svc.CreateAsync(name, Busybox(), null, null)).Id;
        await _svc.StartAsync(id);
        return id;
    }

    /// <summary>Kills and waits until the exit is persisted, so Dispose does not race the monitor's write.</summary>
    private async Task KillAndWaitAsync(string id)
    {
        using var wait = _svc.BeginWait(id, "next-exit");
        await _svc.KillAsync(id);
        await wait.Result.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task PauseUnpauseStateMachine()
    {
        var id = await RunningAsync("p1");
        await _svc.PauseAsync("p1");
        var st = _svc.Inspect("p1").State;
        Assert.Equal("paused", st.Status);
        Assert.True(st.Paused);
        Assert.True(st.Running);
        Assert.EndsWith("(Paused)", _svc.List()[0].Status);
        Assert.True(_runtime.Paused[id]);

        var again = await Assert.ThrowsAsync<WharfException>(() => _svc.PauseAsync("p1"));
        Assert.Equal(ErrorKind.Conflict, again.Kind);
        Assert.Equal($"Container {id} is already paused", again.Message);
        var attach = Assert.Throws<WharfException>(() => _svc.Attach("p1", false, true, true));
        Assert.Equal($"container {id} is paused, unpause the container before attach", attach.Message);
        Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<WharfException>(() => _svc.StartAsync("p1"))).Kind);

        await _svc.UnpauseAsync("p1");
        Assert.Equal("running", _svc.Inspect("p1").State.Status);
        Assert.False(_runtime.Paused[id]);
        var notPaused = await Assert.ThrowsAsync<WharfException>(() => _svc.UnpauseAsync("p1"));
        Assert.Equal($"Container {id} is not paused", notPaused.Message);
        lock (_events)
        {
            Assert.Contains("pause p1", _events);
            Assert.Contains("unpause p1", _events);
        }

        // Persisted: a new service over the same data sees the paused state (runtime has forgotten it: exited).
        await _svc.PauseAsync("p1");
        var json = await File.ReadAllTextAsync(Path.Combine(_root, "data", "containers", id, "config.v2.json"));
        Assert.Contains("\"paused\"", json);
        await KillAndWaitAsync(id);
    }

    [Fact]
    public async Task PauseOfStoppedContainerIsConflict()
    {
        var id = (await _svc.CreateAsync("p2", Busybox(), null, null)).Id;
        var ex = await Assert.ThrowsAsync<WharfException>(() => _svc.PauseAsync(id));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"Container {id} is not running", ex.Message);
        Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<WharfException>(() => _svc.UnpauseAsync(id))).Kind);
    }

    [Fact]
    public async Task StopKillAndForceRemoveThawAPausedContainer()
    {
        var a = await RunningAsync("s1");
        await _svc.PauseAsync(a);
        await _svc.StopAsync(a, 5).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("exited", _svc.Inspect(a).State.Status);
        Assert.False(_runtime.Paused[a]);

        var b = await RunningAsync("s2");
        await _svc.PauseAsync(b);
        await KillAndWaitAsync(b);
        Assert.False(_runtime.Paused[b]);

        var c = await RunningAsync("s3");
        await _svc.PauseAsync(c);
        await _svc.RemoveAsync(c, force: true).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(_runtime.Paused[c]);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => _svc.Inspect(c)).Kind);
    }

    [Fact]
    public async Task StopKillAndForceRemoveThawAPausedContainerWhoseExitIsRecordedFirst()
    {
        // The exit monitor may record the exit (status no longer "paused") before the verb gets to thaw: the freezer
        // must be thawed all the same, decided by the state before the signal.
        var exits = new Dictionary<string, ContainerWait>();
        _runtime.AfterKill = id => exits[id].Result.WaitAsync(TimeSpan.FromSeconds(5));
        async Task<string> PausedAsync(string name)
        {
            var id = await RunningAsync(name);
            await _svc.PauseAsync(id);
            exits[id] = _svc.BeginWait(id, "next-exit");
            return id;
        }

        var a = await PausedAsync("e1");
        await _svc.StopAsync(a, 5).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(_runtime.Paused[a]);
        var b = await PausedAsync("e2");
        await _svc.KillAsync(b).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(_runtime.Paused[b]);
        var c = await PausedAsync("e3");
        await _svc.RemoveAsync(c, force: true).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(_runtime.Paused[c]);
        foreach (var w in exits.Values) w.Dispose();
    }

    [Fact]
    public async Task RenameChecksNamesAndPersists()
    {
        var id = (await _svc.CreateAsync("old", Busybox(), null, null)).Id;
        await _svc.CreateAsync("taken", Busybox(), null, null);
        _svc.Rename("old", "new");
        Assert.Equal("/new", _svc.Inspect(id).Name);
        Assert.Equal("/new", _svc.Inspect("new").Name);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => _svc.Inspect("old")).Kind);
        var conflict = Assert.Throws<WharfException>(() => _svc.Rename("new", "taken"));
        Assert.Equal(ErrorKind.Conflict, conflict.Kind);
        Assert.Contains("is already in use by container", conflict.Message);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => _svc.Rename("new", "bad name!")).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => _svc.Rename("new", "")).Kind);
        // The old name is free again.
        await _svc.CreateAsync("old", Busybox(), null, null);
        var json = await File.ReadAllTextAsync(Path.Combine(_root, "data", "containers", id, "config.v2.json"));
        Assert.Contains("\"/new\"", json);
        lock (_events) Assert.Contains("rename new", _events);
    }

    [Fact]
    public async Task PruneRemovesOnlyStoppedMatchingContainers()
    {
        var running = await RunningAsync("r1");
        var keep = (await _svc.CreateAsync("k1", Busybox(new() { ["keep"] = "yes" }), null, null)).Id;
        var gone = (await _svc.CreateAsync("g1", Busybox(new() { ["x"] = "1" }), null, null)).Id;

        var none = await _svc.PruneAsync(new Dictionary<string, List<string>> { ["until"] = ["10m"] });
        Assert.Null(none.ContainersDeleted);

        var result = await _svc.PruneAsync(new Dictionary<string, List<string>> { ["label!"] = ["keep=yes"] });
        Assert.Equal([gone], result.ContainersDeleted);
        Assert.Equal(0UL, result.SpaceReclaimed);
        Assert.Equal(2, _svc.List(all: true).Count);
        _ = _svc.Inspect(running);
        _ = _svc.Inspect(keep);

        var bad = await Assert.ThrowsAsync<WharfException>(() => _svc.PruneAsync(new Dictionary<string, List<string>> { ["status"] = ["exited"] }));
        Assert.Equal(ErrorKind.InvalidArgument, bad.Kind);
        Assert.Equal(ErrorKind.InvalidArgument, (await Assert.ThrowsAsync<WharfException>(() =>
            _svc.PruneAsync(new Dictionary<string, List<string>> { ["until"] = ["soon"] }))).Kind);

        var labelled = await _svc.PruneAsync(new Dictionary<string, List<string>> { ["label"] = ["keep"] });
        Assert.Equal([keep], labelled.ContainersDeleted);
        await KillAndWaitAsync(running);
    }

    [Fact]
    public async Task TopFiltersPsRowsToContainerPids()
    {
        var id = await RunningAsync("t1");
        var top = await _svc.TopAsync(id);
        Assert.Contains("PID", top.Titles);
        var row = Assert.Single(top.Processes);
        Assert.Equal(top.Titles.Count, row.Count);
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), row[top.Titles.IndexOf("PID")]);
        await KillAndWaitAsync(id);
        var ex = await Assert.ThrowsAsync<WharfException>(() => _svc.TopAsync(id));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
    }

    [Fact]
    public void ParsePsOutputKeepsCommandSpaces()
    {
        var output = "UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:00 /sbin/init splash\nroot 42 1 0 10:00 ? 00:00:00 sleep 100\n";
        var top = ContainerService.ParsePsOutput(output, new HashSet<int> { 42 });
        Assert.Equal(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], top.Titles);
        Assert.Equal(["root", "42", "1", "0", "10:00", "?", "00:00:00", "sleep 100"], Assert.Single(top.Processes));
        Assert.Throws<WharfException>(() => ContainerService.ParsePsOutput("USER CMD\nroot x\n", new HashSet<int>()));
    }

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 1.5)]
    [InlineData("300ms", 0.3)]
    [InlineData("0", 0)]
    public void GoDurations(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("5x")]
    [InlineData("m")]
    public void BadGoDurations(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Fact]
    public void UntilTimestamps()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(now - TimeSpan.FromMinutes(10), ContainerService.ParseTimestamp("10m", now));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), ContainerService.ParseTimestamp("1700000000", now));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), ContainerService.ParseTimestamp("2024-01-02T03:04:05Z", now));
    }
}
