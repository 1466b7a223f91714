using Wharf.Api.Networks;
using Wharf.Core;
using Wharf.Engine.Networks;

namespace Wharf.Unit.Tests.Network;

/// <summary>The network service's bookkeeping without touching the host (no bridges, no rules).</summary>
public sealed class NetworkServiceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-net-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private async Task<NetworkService> Service()
    {
        var s = new NetworkService(_root, DefaultBridgeOptions.Default, TimeProvider.System, _ => { }, manageHost: false);
        await s.InitializeAsync();
        return s;
    }

    private static readonly Dictionary<string, List<string>> None = [];

    private static Dictionary<string, List<string>> F(string key, params string[] values) => new() { [key] = [.. values] };

    [Fact]
    public async Task Predefined_networks_exist_and_survive_restart_with_the_same_ids()
    {
        var s = await Service();
        var ids = s.List(None).ToDictionary(n => n.Name, n => n.Id);
        Assert.Equal(["bridge", "host", "none"], ids.Keys.Order());

        var again = await Service();
        Assert.Equal(ids, again.List(None).ToDictionary(n => n.Name, n => n.Id));
        Assert.Equal("172.31.0.0/16", again.Inspect("bridge").IPAM.Config[0].Subnet);
    }

    [Fact]
    public async Task Create_rejects_duplicates_overlaps_and_unknown_drivers()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest { Name = "a", IPAM = new Ipam { Config = [new IpamConfig { Subnet = "10.9.0.0/16" }] } });

        Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<WharfException>(() => s.CreateAsync(new NetworkCreateRequest { Name = "a" }))).Kind);
        var overlap = await Assert.ThrowsAsync<WharfException>(() => s.CreateAsync(new NetworkCreateRequest { Name = "b", IPAM = new Ipam { Config = [new IpamConfig { Subnet = "10.9.1.0/24" }] } }));
        Assert.Contains("overlaps", overlap.Message);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<WharfException>(() => s.CreateAsync(new NetworkCreateRequest { Name = "c", Driver = "weird" }))).Kind);
        Assert.Contains("not supported on a single host", (await Assert.ThrowsAsync<WharfException>(() => s.CreateAsync(new NetworkCreateRequest { Name = "d", Driver = "overlay" }))).Message);
    }

    [Fact]
    public async Task Auto_subnets_do_not_overlap()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest { Name = "x" });
        await s.CreateAsync(new NetworkCreateRequest { Name = "y" });

        Assert.NotEqual(s.Inspect("x").IPAM.Config[0].Subnet, s.Inspect("y").IPAM.Config[0].Subnet);
        Assert.StartsWith("br-", s.Inspect("x").Options.GetValueOrDefault("com.docker.network.bridge.name", "br-"));
    }

    [Fact]
    public async Task List_filters_by_name_type_driver_label_and_dangling()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest { Name = "front", Labels = new() { ["tier"] = "web" } });
        await s.CreateAsync(new NetworkCreateRequest { Name = "back" });

        Assert.Equal(["front"], s.List(F("label", "tier=web")).Select(n => n.Name));
        Assert.Equal(["back", "front"], s.List(F("type", "custom")).Select(n => n.Name).Order());
        Assert.Equal(["bridge", "host", "none"], s.List(F("type", "builtin")).Select(n => n.Name).Order());
        Assert.Equal(["front"], s.List(F("name", "fro")).Select(n => n.Name));
        Assert.Equal(["null"], s.List(F("driver", "null")).Select(n => n.Driver));
        Assert.Equal(2, s.List(F("dangling", "true")).Count);
        Assert.Throws<WharfException>(() => s.List(F("bogus", "1")));
    }

    [Fact]
    public async Task Remove_refuses_predefined_and_prune_keeps_them()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest { Name = "gone" });

        var ex = await Assert.ThrowsAsync<WharfException>(() => s.RemoveAsync("bridge"));
        Assert.Equal("bridge is a pre-defined network and cannot be removed", ex.Message);
        var pruned = await s.PruneAsync(new Dictionary<string, List<string>>());
        Assert.Equal(["gone"], pruned.NetworksDeleted!);
        Assert.Equal(3, s.List(None).Count);
    }

    [Fact]
    public async Task Lookup_by_id_prefix_and_events()
    {
        var s = await Service();
        var events = new List<string>();
        s.Event += e => events.Add(e.Action + " " + e.Name);
        var id = (await s.CreateAsync(new NetworkCreateRequest { Name = "evt" })).Id;

        Assert.Equal("evt", s.Resolve(id[..6]).Name);
        await s.RemoveAsync("evt");
        Assert.Equal(["create evt", "destroy evt"], events);
    }

    [Fact]
    public async Task Ipv6_network_has_both_subnets_and_gives_endpoints_both_addresses()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest
        {
            Name = "v6", EnableIPv6 = true,
            IPAM = new Ipam { Config = [new IpamConfig { Subnet = "10.9.0.0/24" }, new IpamConfig { Subnet = "fd42:77:1::/64", Gateway = "fd42:77:1::1" }] },
        });
        var n = s.Resolve("v6");
        var inspect = s.Inspect("v6");

        Assert.True(inspect.EnableIPv6);
        Assert.Equal(["10.9.0.0/24", "fd42:77:1::/64"], inspect.IPAM.Config.Select(c => c.Subnet));
        Assert.Equal("fd42:77:1::1", inspect.IPAM.Config[1].Gateway);
        var ep = new Wharf.Api.Containers.EndpointSettings();
        s.Allocate(n, ep);
        Assert.Equal(("10.9.0.2", "fd42:77:1::2", 64L, "fd42:77:1::1"), (ep.IPAddress, ep.GlobalIPv6Address, ep.GlobalIPv6PrefixLen, ep.IPv6Gateway));
        var fixedEp = new Wharf.Api.Containers.EndpointSettings { IPAMConfig = new() { IPv6Address = "fd42:77:1::99" } };
        s.Allocate(n, fixedEp);
        Assert.Equal("fd42:77:1::99", fixedEp.GlobalIPv6Address);
        await s.ReleaseAsync(n.Id, ep, "c", 0);
        Assert.Equal("", ep.GlobalIPv6Address);
        var again = new Wharf.Api.Containers.EndpointSettings();
        s.Allocate(n, again);
        Assert.Equal("fd42:77:1::2", again.GlobalIPv6Address);
    }

    [Fact]
    public async Task Ipv6_ip_range_narrows_allocation_and_shows_in_inspect()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest
        {
            Name = "r6", EnableIPv6 = true,
            IPAM = new Ipam { Config = [new IpamConfig { Subnet = "fd42:66::/64", IPRange = "fd42:66::100/120" }] },
        });

        Assert.Equal("fd42:66::100/120", s.Inspect("r6").IPAM.Config[1].IPRange);
        var ep = new Wharf.Api.Containers.EndpointSettings();
        s.Allocate(s.Resolve("r6"), ep);
        Assert.Equal("fd42:66::100", ep.GlobalIPv6Address);
        var outside = await Assert.ThrowsAsync<WharfException>(() => s.CreateAsync(new NetworkCreateRequest
        {
            Name = "bad6", EnableIPv6 = true,
            IPAM = new Ipam { Config = [new IpamConfig { Subnet = "fd42:67::/64", IPRange = "fd42:68::/80" }] },
        }));
        Assert.Contains("no matching subnet for range", outside.Message);
    }

    [Fact]
    public async Task Ipv6_network_without_a_subnet_gets_a_unique_local_64_and_overlaps_are_refused()
    {
        var s = await Service();
        await s.CreateAsync(new NetworkCreateRequest { Name = "auto6", EnableIPv6 = true });
        await s.CreateAsync(new NetworkCreateRequest { Name = "auto6b", EnableIPv6 = true });
        await s.CreateAsync(new NetworkCreateRequest { Name = "given", EnableIPv6 = true, IPAM = new Ipam { Config = [new IpamConfig { Subnet = "fd42:88::/64" }] } });

        var a = s.Inspect("auto6").IPAM.Config[1];
        var b = s.Inspect("auto6b").IPAM.Config[1];
        Assert.Matches("^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/64$", a.Subnet);
        Assert.NotEqual(a.Subnet, b.Subnet);
        Assert.Equal(a.Subnet!.Replace("/64", "1", StringComparison.Ordinal), a.Gateway);
        var overlap = await Assert.ThrowsAsync<WharfException>(() => s.CreateAsync(new NetworkCreateRequest
        {
            Name = "clash", EnableIPv6 = true, IPAM = new Ipam { Config = [new IpamConfig { Subnet = "fd42:88::/80" }] },
        }));
        Assert.Contains("overlaps", overlap.Message);
        // Without EnableIPv6 an IPv6 subnet is ignored, as Docker ignores it.
        await s.CreateAsync(new NetworkCreateRequest { Name = "v4only", IPAM = new Ipam { Config = [new IpamConfig { Subnet = "fd42:99::/64" }] } });
        Assert.Single(s.Inspect("v4only").IPAM.Config);
        Assert.False(s.Inspect("v4only").EnableIPv6);
    }
}
