using System.Text;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

/// <summary>The service's state machine over a fake runtime and an image with nothing to mount (no root needed).</summary>
public sealed class ContainerServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-ctr-").FullName;
    private readonly FakeImages _images = new();
    private readonly FakeRuntime _runtime = new();
    private readonly ContainerService _svc;

    public ContainerServiceTests()
    {
        _svc = new ContainerService(Path.Combine(_root, "data"), _images, _runtime, TimeProvider.System, Path.Combine(_root, "run"), _ => { });
    }

    public void Dispose()
    {
        // Background exit monitors write state: let them finish before the data root goes, or they recreate it.
        _runtime.ExitAll();
        _svc.WhenBackgroundIdleAsync().Wait(TimeSpan.FromSeconds(10));
        Directory.Delete(_root, recursive: true);
    }

    private static ContainerConfig Busybox(params string[] cmd) => new() { Image = "busybox", Cmd = cmd.Length == 0 ? null : [.. cmd] };

    [Fact]
    public async Task RunRmFlow()
    {
        var created = await _svc.CreateAsync(null, Busybox("echo", "hi"), new HostConfig { AutoRemove = true, NetworkMode = "default" },
            new NetworkingConfig { EndpointsConfig = new() { ["default"] = new EndpointSettings() } });
        Assert.Empty(created.Warnings);
        var inspect = _svc.Inspect(created.Id);
        Assert.Equal("created", inspect.State.Status);
        Assert.Equal("bridge", inspect.HostConfig.NetworkMode);
        Assert.True(inspect.NetworkSettings.Networks!.ContainsKey("bridge"));
        Assert.StartsWith("/", inspect.Name);
        Assert.Equal("echo", inspect.Path);
        Assert.Equal("0001-01-01T00:00:00Z", inspect.State.StartedAt);

        await using var attach = _svc.Attach(created.Id, stdin: false, stdout: true, stderr: true);
        using var wait = _svc.BeginWait(created.Id, "removed");
        Assert.False(wait.Result.IsCompleted);
        await _svc.StartAsync(created.Id);

        var chunk = await attach.ReadAsync(CancellationToken.None);
        Assert.Equal("hi\n", Encoding.UTF8.GetString(chunk!.Value.Data.Span));
        Assert.Null(await attach.ReadAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        var (code, error) = await wait.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, code);
        Assert.Null(error);
        Assert.Empty(_svc.List(all: true));
        // The rootfs is unmounted and removed after the waiters are answered, by the background removal.
        await _svc.WhenBackgroundIdleAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains(created.Id, _images.Removed);
        Assert.False(Directory.Exists(Path.Combine(_root, "data", "containers", created.Id)));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => _svc.Inspect(created.Id)).Kind);
    }

    [Fact]
    public async Task FailedStartOfAutoRemoveContainerStillRemovesIt()
    {
        _runtime.StartError = "exec: \"nope\": executable file not found in $PATH";
        var id = (await _svc.CreateAsync(null, Busybox("nope"), new HostConfig { AutoRemove = true }, null)).Id;
        using var wait = _svc.BeginWait(id, "removed");
        var ex = await Assert.ThrowsAsync<WharfException>(() => _svc.StartAsync(id));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("executable file not found", ex.Message);
        var (code, _) = await wait.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(127, code);
        Assert.Empty(_svc.List(all: true));
    }

    [Fact]
    public async Task FailedStartLeavesContainerCreatedWithExitCode()
    {
        _runtime.StartError = "exec: \"nope\": executable file not found in $PATH";
        var id = (await _svc.CreateAsync("bad", Busybox("nope"), null, null)).Id;
        await Assert.ThrowsAsync<WharfException>(() => _svc.StartAsync("bad"));
        var st = _svc.Inspect(id).State;
        Assert.Equal("created", st.Status);
        Assert.Equal(127, st.ExitCode);
        Assert.Contains("executable file not found", st.Error);
    }

    [Fact]
    public async Task StopKillWaitAndRemove()
    {
        _runtime.AutoExit = false;
        var id = (await _svc.CreateAsync("web", Busybox("sleep", "100"), null, null)).Id;
        using var nextExit = _svc.BeginWait("web", "next-exit");
        await _svc.StartAsync("web");
        Assert.Equal(ErrorKind.NotModified, (await Assert.ThrowsAsync<WharfException>(() => _svc.StartAsync("web"))).Kind);
        var running = _svc.List();
        Assert.Single(running);
        Assert.Equal(["/web"], running[0].Names);
        Assert.Equal("sleep 100", running[0].Command);
        Assert.StartsWith("Up ", running[0].Status);
        Assert.True(_svc.Inspect("web").State.Running);
        Assert.Equal(4242, _svc.Inspect("web").State.Pid);

        var rm = await Assert.ThrowsAsync<WharfException>(() => _svc.RemoveAsync("web"));
        Assert.Equal(ErrorKind.Conflict, rm.Kind);

        await _svc.StopAsync("web", 5);
        Assert.Equal(15, Assert.Single(_runtime.Signals));
        Assert.Equal(143, (await nextExit.Result.WaitAsync(TimeSpan.FromSeconds(5))).StatusCode);
        var st = _svc.Inspect(id).State;
        Assert.Equal("exited", st.Status);
        Assert.Equal(143, st.ExitCode);
        Assert.NotEqual("0001-01-01T00:00:00Z", st.FinishedAt);
        Assert.Empty(_svc.List());
        Assert.StartsWith("Exited (143) ", _svc.List(all: true)[0].Status);
        Assert.Single(_svc.List(filters: new Dictionary<string, List<string>> { ["status"] = ["exited"] }));
        Assert.Equal(ErrorKind.NotModified, (await Assert.ThrowsAsync<WharfException>(() => _svc.StopAsync("web"))).Kind);
        Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<WharfException>(() => _svc.KillAsync("web"))).Kind);

        using var notRunning = _svc.BeginWait("web");
        Assert.True(notRunning.Result.IsCompleted);
        Assert.Equal(143, (await notRunning.Result).StatusCode);

        // Started again, then killed.
        await _svc.StartAsync(id[..8]);
        await _svc.KillAsync("web", "INT");
        await _svc.BeginWait("web").Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(130, _svc.Inspect("web").State.ExitCode);

        await _svc.RemoveAsync("web");
        Assert.Empty(_svc.List(all: true));
    }

    [Fact]
    public async Task NamesConflictAndLookup()
    {
        var a = (await _svc.CreateAsync("web", Busybox(), null, null)).Id;
        var ex = await Assert.ThrowsAsync<WharfException>(() => _svc.CreateAsync("/web", Busybox(), null, null));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"Conflict. The container name \"/web\" is already in use by container \"{a}\". You have to remove (or rename) that container to be able to reuse that name.", ex.Message);
        Assert.Equal(a, _svc.Inspect("/web").Id);
        Assert.Equal(a, _svc.Inspect(a[..5]).Id);
        Assert.Equal("No such container: zzz", Assert.Throws<WharfException>(() => _svc.Inspect("zzz")).Message);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<WharfException>(() => _svc.CreateAsync(null, new ContainerConfig { Image = "nope" }, null, null))).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, (await Assert.ThrowsAsync<WharfException>(() =>
            _svc.CreateAsync(null, Busybox(), new HostConfig { RestartPolicy = new RestartPolicy { Name = "sometimes" } }, null))).Kind);
        Assert.Equal("invalid condition: \"x\"", Assert.Throws<WharfException>(() => _svc.BeginWait("web", "x")).Message);
        Assert.Equal("Bad parameters: you must choose at least one stream", Assert.Throws<WharfException>(() => _svc.Logs("web", false, false)).Message);
        // The image's Cmd is used when none is given.
        Assert.Equal("sh", _svc.Inspect("web").Path);
        Assert.Equal(["PATH=/bin"], _svc.Inspect("web").Config.Env);
    }

    [Fact]
    public async Task StateSurvivesARestartOfTheService()
    {
        var id = (await _svc.CreateAsync("keep", Busybox("true"), new HostConfig { RestartPolicy = new RestartPolicy { Name = "on-failure" } }, null)).Id;
        await _svc.StartAsync(id);
        await _svc.BeginWait(id).Result.WaitAsync(TimeSpan.FromSeconds(5));

        var again = new ContainerService(Path.Combine(_root, "data"), _images, _runtime, TimeProvider.System, Path.Combine(_root, "run"), _ => { });
        await again.InitializeAsync();
        var inspect = again.Inspect("keep");
        Assert.Equal(id, inspect.Id);
        Assert.Equal("exited", inspect.State.Status);
        Assert.Equal("on-failure", inspect.HostConfig.RestartPolicy.Name);
        Assert.Equal((1, 0, 0, 1), again.Counts());
    }

    [Fact]
    public async Task OnFailurePolicyRestartsUpToTheRetryCount()
    {
        _runtime.ExitCode = 1;
        var id = (await _svc.CreateAsync("flaky", Busybox("false"),
            new HostConfig { RestartPolicy = new RestartPolicy { Name = "on-failure", MaximumRetryCount = 2 } }, null)).Id;
        await _svc.StartAsync(id);
        // RestartCount counts a restart when it is decided (as Docker), before its backoff: wait for the last run's end.
        for (int i = 0; i < 100 && (_svc.Inspect(id).RestartCount < 2 || _svc.Inspect(id).State.Status != "exited"); i++) await Task.Delay(50);
        await Task.Delay(300);
        var inspect = _svc.Inspect(id);
        Assert.Equal(2, inspect.RestartCount);
        Assert.Equal("exited", inspect.State.Status);
        Assert.Equal(1, inspect.State.ExitCode);
    }

    [Fact]
    public async Task AlwaysPolicyRestartsUntilStopped()
    {
        var id = (await _svc.CreateAsync("always", Busybox("true"), new HostConfig { RestartPolicy = new RestartPolicy { Name = "always" } }, null)).Id;
        await _svc.StartAsync(id);
        for (int i = 0; i < 100 && _svc.Inspect(id).RestartCount < 2; i++) await Task.Delay(50);
        Assert.True(_svc.Inspect(id).RestartCount >= 2);
        try { await _svc.StopAsync(id, 1); } catch (WharfException ex) when (ex.Kind == ErrorKind.NotModified) { }
        await _svc.BeginWait(id).Result.WaitAsync(TimeSpan.FromSeconds(5));
        var count = _svc.Inspect(id).RestartCount;
        await Task.Delay(1000);
        Assert.Equal(count, _svc.Inspect(id).RestartCount);
        Assert.False(_svc.Inspect(id).State.Running);
    }

    [Fact]
    public async Task LifecycleEventsAreRaised()
    {
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _svc.Event += ev => events.Enqueue(ev.Action + (ev.ExitCode is { } c ? ":" + c : "") + "/" + ev.Name);
        var id = (await _svc.CreateAsync("ev", Busybox("true"), new HostConfig { AutoRemove = true }, null)).Id;
        using var wait = _svc.BeginWait(id, "removed");
        await _svc.StartAsync(id);
        await wait.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["create/ev", "start/ev", "die:0/ev", "destroy/ev"], events);
    }
}
