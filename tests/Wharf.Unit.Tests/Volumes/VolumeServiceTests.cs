using Wharf.Core;
using Wharf.Engine.Volumes;

namespace Wharf.Unit.Tests.Volumes;

/// <summary>The local volume store without containers: create rules, filters, in-use refusal, prune scope, persistence.</summary>
public sealed class VolumeServiceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-volumes-" + Guid.NewGuid().ToString("N"));
    private readonly FakeUsage _usage = new();
    private readonly VolumeService _volumes;

    public VolumeServiceTests()
    {
        _volumes = new VolumeService(_root, TimeProvider.System, _ => { }) { Usage = _usage };
        _volumes.Initialize();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class FakeUsage : IVolumeUsage
    {
        public Dictionary<string, List<(string, bool)>> Users { get; } = [];
        public IReadOnlyList<(string Id, bool Running)> ContainersUsingVolume(string volumeName) =>
            Users.TryGetValue(volumeName, out var l) ? l : [];
    }

    [Fact]
    public void CreateMakesTheDataDirectoryAndIsIdempotent()
    {
        var v = _volumes.Create("data", labels: new Dictionary<string, string> { ["team"] = "a" });
        Assert.Equal(Path.Combine(_root, "volumes", "data", "_data"), v.Mountpoint);
        Assert.True(Directory.Exists(v.Mountpoint));
        Assert.Equal(("local", "local", "a"), (v.Driver, v.Scope, v.Labels!["team"]));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", v.CreatedAt);

        var again = _volumes.Create("data");
        Assert.Equal("a", again.Labels!["team"]);
    }

    [Fact]
    public void AnonymousVolumesGetAHexNameAndDockersLabel()
    {
        var v = _volumes.Create(null);
        Assert.Matches("^[0-9a-f]{64}$", v.Name);
        Assert.True(v.Labels!.ContainsKey("com.docker.volume.anonymous"));
    }

    [Theory]
    [InlineData("./rel")]
    [InlineData("a")]
    [InlineData("x/y")]
    public void InvalidNamesGetDockersHint(string name)
    {
        var ex = Assert.Throws<WharfException>(() => _volumes.Create(name));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", ex.Message);
    }

    [Theory]
    [InlineData("bogus", "x", "create v1: invalid option: \"bogus\"")]
    [InlineData("type", "tmpfs", "create v1: missing required option: \"device\"")]
    [InlineData("device", "/x", "create v1: missing required option: \"type\"")]
    public void DriverOptionsFollowTheLocalDriversRules(string key, string value, string message)
    {
        var ex = Assert.Throws<WharfException>(() => _volumes.Create("v1", options: new Dictionary<string, string> { [key] = value }));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void OtherDriversAreNotFound()
    {
        var ex = Assert.Throws<WharfException>(() => _volumes.Create("v1", driver: "nfs-plugin"));
        Assert.Equal(ErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public void ListFiltersByNameLabelAndDangling()
    {
        _volumes.Create("alpha", labels: new Dictionary<string, string> { ["env"] = "prod" });
        _volumes.Create("beta", labels: new Dictionary<string, string> { ["env"] = "dev" });
        _usage.Users["beta"] = [("c1", false)];

        Assert.Equal(["alpha", "beta"], _volumes.List(new Dictionary<string, List<string>>()).Select(v => v.Name));
        Assert.Equal(["alpha"], _volumes.List(new Dictionary<string, List<string>> { ["name"] = ["alp"] }).Select(v => v.Name));
        Assert.Equal(["beta"], _volumes.List(new Dictionary<string, List<string>> { ["label"] = ["env=dev"] }).Select(v => v.Name));
        Assert.Equal(["alpha", "beta"], _volumes.List(new Dictionary<string, List<string>> { ["label"] = ["env"] }).Select(v => v.Name));
        Assert.Equal(["alpha"], _volumes.List(new Dictionary<string, List<string>> { ["dangling"] = ["true"] }).Select(v => v.Name));
        Assert.Equal(["beta"], _volumes.List(new Dictionary<string, List<string>> { ["dangling"] = ["false"] }).Select(v => v.Name));
        Assert.Equal("invalid filter 'colour'", Assert.Throws<WharfException>(() => _volumes.List(new Dictionary<string, List<string>> { ["colour"] = ["x"] })).Message);
    }

    [Fact]
    public void RemoveIsRefusedWhileInUse()
    {
        _volumes.Create("busy");
        _usage.Users["busy"] = [("c1", true), ("c2", false)];

        var ex = Assert.Throws<WharfException>(() => _volumes.Remove("busy"));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal("remove busy: volume is in use - [c1, c2]", ex.Message);
        // Forcing does not pull a volume from under a running container…
        Assert.Equal("remove busy: volume is in use - [c1]", Assert.Throws<WharfException>(() => _volumes.Remove("busy", force: true)).Message);
        // …but does remove one only stopped containers reference.
        _usage.Users["busy"] = [("c2", false)];
        _volumes.Remove("busy", force: true);
        Assert.False(_volumes.Exists("busy"));
        Assert.False(Directory.Exists(Path.Combine(_root, "volumes", "busy")));
    }

    [Fact]
    public void RemoveOfAMissingVolumeIsNotFoundUnlessForced()
    {
        var ex = Assert.Throws<WharfException>(() => _volumes.Remove("ghost"));
        Assert.Equal((ErrorKind.NotFound, "get ghost: no such volume"), (ex.Kind, ex.Message));
        _volumes.Remove("ghost", force: true);
    }

    [Fact]
    public void PruneTakesUnusedAnonymousVolumesUnlessAll()
    {
        _volumes.Create("named");
        var anon = _volumes.Create(null).Name;
        var usedAnon = _volumes.Create(null).Name;
        _usage.Users[usedAnon] = [("c1", false)];
        File.WriteAllText(Path.Combine(_volumes.MountpointOf(anon), "f"), "12345");

        var result = _volumes.Prune(new Dictionary<string, List<string>>(), allByDefault: false);
        Assert.Equal([anon], result.VolumesDeleted);
        Assert.Equal(5, result.SpaceReclaimed);

        result = _volumes.Prune(new Dictionary<string, List<string>> { ["all"] = ["true"] }, allByDefault: false);
        Assert.Equal(["named"], result.VolumesDeleted);
        Assert.True(_volumes.Exists(usedAnon));
    }

    [Fact]
    public void VolumesSurviveARestartOfTheStore()
    {
        _volumes.Create("kept", labels: new Dictionary<string, string> { ["k"] = "v" });
        Directory.CreateDirectory(Path.Combine(_root, "volumes", "halfmade", "_data"));

        var reloaded = new VolumeService(_root, TimeProvider.System, _ => { });
        reloaded.Initialize();

        Assert.Equal("v", reloaded.Inspect("kept").Labels!["k"]);
        Assert.False(reloaded.Exists("halfmade"));
        Assert.False(Directory.Exists(Path.Combine(_root, "volumes", "halfmade")));
    }

    [Fact]
    public void EventsAreRaisedForCreateAndDestroy()
    {
        var seen = new List<string>();
        _volumes.Event += m => seen.Add($"{m.Type} {m.Action} {m.Actor.ID} {m.Actor.Attributes["driver"]}");
        _volumes.Create("ev");
        _volumes.Remove("ev");
        Assert.Equal(["volume create ev local", "volume destroy ev local"], seen);
    }
}
