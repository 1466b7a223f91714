using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Containers;
using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Containers;

/// <summary>Resource validation at create, update (merge, runtime call, persistence) and stats of a stopped
/// container, over the fake runtime.</summary>
public sealed class ContainerResourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-resources-").FullName;
    private readonly FakeRuntime _runtime = new() { AutoExit = false };
    private readonly ContainerService _svc;
    private readonly List<string> _events = [];

    public ContainerResourceTests()
    {
        _svc = new ContainerService(Path.Combine(_root, "data"), new FakeImages(), _runtime, TimeProvider.System, Path.Combine(_root, "run"), _ => { });
        _svc.Event += ev => { lock (_events) _events.Add(ev.Action); };
    }

    public void Dispose()
    {
        _runtime.ExitAll();
        _svc.WhenBackgroundIdleAsync().Wait(TimeSpan.FromSeconds(10));
        Directory.Delete(_root, recursive: true);
    }

    private static ContainerConfig Busybox() => new() { Image = "busybox", Cmd = ["sleep", "100"] };

    private async Task<string> CreateAsync(HostConfig hc) => (await _svc.CreateAsync(null, Busybox(), hc, null)).Id;

    [Fact]
    public async Task Create_refuses_bad_limits_with_dockers_words()
    {
        async Task<string> Refused(HostConfig hc)
        {
            var ex = await Assert.ThrowsAsync<WharfException>(() => CreateAsync(hc));
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            return ex.Message;
        }

        Assert.Equal("Minimum memory limit allowed is 6MB", await Refused(new HostConfig { Memory = 4 << 20 }));
        Assert.Equal("Minimum memoryswap limit should be larger than memory limit, see usage",
            await Refused(new HostConfig { Memory = 32 << 20, MemorySwap = 16 << 20 }));
        int n = SpecHost.Current.CpuCount;
        Assert.Equal($"Range of CPUs is from 0.01 to {n}.00, as there are only {n} CPUs available",
            await Refused(new HostConfig { NanoCpus = (n + 1) * 1_000_000_000L }));
        Assert.StartsWith("Requested CPUs are not available - requested 0-4096", await Refused(new HostConfig { CpusetCpus = "0-4096" }));
        Assert.Equal("Invalid value x for cpuset cpus", await Refused(new HostConfig { CpusetCpus = "x" }));
        Assert.Empty(_svc.List(all: true));
    }

    [Fact]
    public async Task Create_defaults_swap_to_twice_the_memory_limit()
    {
        var id = await CreateAsync(new HostConfig { Memory = 32 << 20 });
        Assert.Equal(64L << 20, _svc.Inspect(id).HostConfig.MemorySwap);
    }

    [Fact]
    public async Task Update_of_a_running_container_reaches_the_runtime_and_is_kept()
    {
        var id = await CreateAsync(new HostConfig { Memory = 32 << 20, PidsLimit = 50 });
        await _svc.StartAsync(id);

        var warnings = await _svc.UpdateAsync(id, new HostConfig { Memory = 48 << 20, MemorySwap = 96 << 20, CpuShares = 512 });
        Assert.Empty(warnings);

        var sent = _runtime.Updates[id];
        Assert.Equal(48L << 20, sent.Memory!.Limit);
        Assert.Equal(96L << 20, sent.Memory.Swap);
        Assert.Equal(512UL, sent.Cpu!.Shares);
        Assert.Null(sent.Pids); // not part of the request: left as it is
        var hc = _svc.Inspect(id).HostConfig;
        Assert.Equal(48L << 20, hc.Memory);
        Assert.Equal(512, hc.CpuShares);
        Assert.Equal(50, hc.PidsLimit);
        lock (_events) Assert.Contains("update", _events);
    }

    [Fact]
    public async Task Update_follows_dockers_merge_rules()
    {
        var id = await CreateAsync(new HostConfig { Memory = 32 << 20, NanoCpus = 500_000_000 });

        var swap = await Assert.ThrowsAsync<WharfException>(() => _svc.UpdateAsync(id, new HostConfig { Memory = 128 << 20 }));
        Assert.Equal("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time", swap.Message);
        var period = await Assert.ThrowsAsync<WharfException>(() => _svc.UpdateAsync(id, new HostConfig { CpuPeriod = 50_000 }));
        Assert.Equal("Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set", period.Message);
        var tooSmall = await Assert.ThrowsAsync<WharfException>(() => _svc.UpdateAsync(id, new HostConfig { Memory = 1 << 20 }));
        Assert.Equal("Minimum memory limit allowed is 6MB", tooSmall.Message);

        // Not running: only the stored configuration changes, for the next start.
        await _svc.UpdateAsync(id, new HostConfig { PidsLimit = 20, RestartPolicy = new RestartPolicy { Name = "on-failure", MaximumRetryCount = 3 } });
        Assert.False(_runtime.Updates.ContainsKey(id));
        var hc = _svc.Inspect(id).HostConfig;
        Assert.Equal(20, hc.PidsLimit);
        Assert.Equal(32L << 20, hc.Memory);
        Assert.Equal("on-failure", hc.RestartPolicy.Name);
        Assert.Equal(3, hc.RestartPolicy.MaximumRetryCount);

        var missing = await Assert.ThrowsAsync<WharfException>(() => _svc.UpdateAsync("nope", new HostConfig()));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Stats_of_a_stopped_container_is_one_zero_sample_with_name_and_id()
    {
        var id = await CreateAsync(new HostConfig());
        var samples = new List<ContainerStatsResponse>();
        await foreach (var s in _svc.StatsAsync(id, stream: false, oneShot: false)) samples.Add(s);
        var only = Assert.Single(samples);
        Assert.Equal(id, only.Id);
        Assert.StartsWith("/", only.Name);
        Assert.Equal(0UL, only.MemoryStats.Usage);
        Assert.Equal("0001-01-01T00:00:00Z", only.Read);

        var both = await Assert.ThrowsAsync<WharfException>(async () =>
        {
            await foreach (var _ in _svc.StatsAsync(id, stream: true, oneShot: true)) { }
        });
        Assert.Equal(ErrorKind.InvalidArgument, both.Kind);
    }
}
