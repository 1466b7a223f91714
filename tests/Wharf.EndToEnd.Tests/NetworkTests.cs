using System.Globalization;

namespace Wharf.EndToEnd.Tests;

/// <summary>Networks through the real docker CLI: default networks, the default bridge, user-defined bridges, NAT
/// and cleanup. Traffic only goes to this daemon's bridges and to namespaces the tests create.</summary>
[Collection(NetworksCollection.Name)]
public sealed class NetworkTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Network_ls_shows_the_predefined_networks()
    {
        var ls = (await wharf.Docker("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}")).EnsureSuccess();

        Assert.Contains("bridge bridge local", ls.StdoutLines);
        Assert.Contains("host host local", ls.StdoutLines);
        Assert.Contains("none null local", ls.StdoutLines);
    }

    [Fact]
    public async Task Default_bridge_uses_the_daemons_own_bridge_and_subnet()
    {
        var subnet = (await wharf.Docker("network", "inspect", "bridge", "--format",
            "{{range .IPAM.Config}}{{.Gateway}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}")).EnsureSuccess();

        Assert.Equal($"{wharf.Daemon.BridgeAddress.Split('/')[0]} {wharf.Daemon.BridgeName}", subnet.Stdout.Trim());
        Assert.True(HostNetwork.LinkExists(wharf.Daemon.BridgeName));
    }

    [Fact]
    public async Task Containers_on_the_default_bridge_reach_each_other_by_ip()
    {
        var name = wharf.UniqueName("peer");
        (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "60")).EnsureSuccess();
        try
        {
            var ip = (await wharf.Docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name)).EnsureSuccess().Stdout.Trim();
            Assert.StartsWith(wharf.Daemon.BridgeAddress[..wharf.Daemon.BridgeAddress.LastIndexOf('.')], ip);

            var ping = await wharf.Docker("run", "--rm", "busybox", "ping", "-c", "1", "-W", "5", ip);

            Assert.True(ping.ExitCode == 0, ping.ToString());
            Assert.Contains("1 packets received", ping.Stdout);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Inspect_fills_network_settings_from_create_and_addresses_when_running()
    {
        var name = wharf.UniqueName("ns");
        (await wharf.Docker("create", "--name", name, "busybox", "sleep", "60")).EnsureSuccess();
        try
        {
            var created = (await wharf.Docker("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{len $v.NetworkID}} [{{$v.IPAddress}}]{{end}}", name)).EnsureSuccess();
            Assert.Equal("bridge 64 []", created.Stdout.Trim());

            (await wharf.Docker("start", name)).EnsureSuccess();
            var running = (await wharf.Docker("inspect", "--format",
                "{{.NetworkSettings.Networks.bridge.IPAddress}}|{{.NetworkSettings.Networks.bridge.Gateway}}|{{.NetworkSettings.Networks.bridge.MacAddress}}|{{.NetworkSettings.IPPrefixLen}}", name)).EnsureSuccess();
            var f = running.Stdout.Trim().Split('|');
            Assert.Equal(wharf.Daemon.BridgeAddress.Split('/')[0], f[1]);
            Assert.Matches("^02:42:", f[2]);
            Assert.Equal("24", f[3]);
            var inside = (await InContainerNetns(name, "ip", "-4", "addr", "show", "eth0")).EnsureSuccess().Stdout;
            Assert.Contains(f[0] + "/24", inside);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task User_network_lifecycle_creates_and_removes_its_bridge_and_refuses_rm_in_use()
    {
        var net = wharf.UniqueName("net");
        var bridge = "wb" + wharf.Suffix;
        var id = (await wharf.Docker("network", "create", "--subnet", "10.250.77.0/24", "--gateway", "10.250.77.254",
            "--ip-range", "10.250.77.128/25", "--label", "team=net", "-o", "com.docker.network.bridge.name=" + bridge, net)).EnsureSuccess().Stdout.Trim();
        var ctr = wharf.UniqueName("onnet");
        try
        {
            Assert.True(HostNetwork.LinkExists(bridge));
            var listed = (await wharf.Docker("network", "ls", "--filter", "label=team=net", "--format", "{{.Name}}")).EnsureSuccess();
            Assert.Equal([net], listed.StdoutLines);

            (await wharf.Docker("run", "-d", "--name", ctr, "--network", net, "busybox", "sleep", "60")).EnsureSuccess();
            var ip = (await wharf.Docker("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}", ctr)).EnsureSuccess().Stdout.Trim();
            Assert.Equal("10.250.77.128", ip);
            var containers = (await wharf.Docker("network", "inspect", net, "--format", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}")).EnsureSuccess();
            Assert.Equal($"{ctr} 10.250.77.128/24", containers.Stdout.Trim());

            var rm = await wharf.Docker("network", "rm", net);
            Assert.NotEqual(0, rm.ExitCode);
            Assert.Contains("has active endpoints", rm.Stderr);

            var endpoint = (await wharf.Docker("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{net}\").EndpointID}}}}", ctr)).EnsureSuccess().Stdout.Trim();
            var veth = "veth" + endpoint[..7];
            Assert.True(HostNetwork.LinkExists(veth), veth + " should exist while the container runs");
            (await wharf.Docker("rm", "-f", ctr)).EnsureSuccess();
            (await wharf.Docker("network", "rm", net)).EnsureSuccess();

            Assert.False(HostNetwork.LinkExists(bridge));
            Assert.False(HostNetwork.LinkExists(veth));
            Assert.DoesNotContain(bridge, await HostNetwork.NftTable(wharf.Daemon.FirewallTable));
        }
        finally
        {
            await wharf.Docker("rm", "-f", ctr);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Connect_and_disconnect_work_on_created_and_running_containers()
    {
        var net = wharf.UniqueName("cn");
        (await wharf.Docker("network", "create", net)).EnsureSuccess();
        var ctr = wharf.UniqueName("cc");
        try
        {
            (await wharf.Docker("create", "--name", ctr, "busybox", "sleep", "60")).EnsureSuccess();
            (await wharf.Docker("network", "connect", "--alias", "svc", net, ctr)).EnsureSuccess();
            (await wharf.Docker("start", ctr)).EnsureSuccess();

            var links = (await InContainerNetns(ctr, "ip", "-o", "-4", "addr")).EnsureSuccess().Stdout;
            Assert.Contains("eth0", links);
            Assert.Contains("eth1", links);

            (await wharf.Docker("network", "disconnect", net, ctr)).EnsureSuccess();
            links = (await InContainerNetns(ctr, "ip", "-o", "-4", "addr")).EnsureSuccess().Stdout;
            Assert.DoesNotContain("eth1", links);
            var nets = (await wharf.Docker("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", ctr)).EnsureSuccess();
            Assert.Equal("bridge", nets.Stdout.Trim());
        }
        finally
        {
            await wharf.Docker("rm", "-f", ctr);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Outbound_traffic_is_masqueraded_to_a_server_in_a_test_namespace()
    {
        await using var ns = await TestNetns.CreateAsync();
        // The namespace has no route back to the container subnet: only masquerade lets the answer return.
        var server = ns.Start("/bin/busybox", "nc", "-l", "-p", "7777");

        var client = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", $"for i in 1 2 3 4 5; do echo hello-nat | nc -w 2 {ns.InnerAddress} 7777 && exit 0; sleep 0.3; done; exit 1");

        Assert.True(client.ExitCode == 0, client.ToString());
        var received = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hello-nat", received);
    }

    [Fact]
    public async Task Big_tcp_veths_carry_streams_whole_between_containers_and_out_through_nat()
    {
        // Wharf.Network.BigTcp: on kernels from 6.12 container veths take 192 KiB IPv4 GSO packets. A stream between
        // two containers then moves in big packets, and one leaving for the test namespace is cut down again before
        // that namespace's ordinary veth; both must arrive byte for byte.
        const int bytes = 64 * 1024 * 1024;
        var server = wharf.UniqueName("bigsrv");
        (await wharf.Docker("run", "-d", "--name", server, "busybox", "sh", "-c",
            "while true; do nc -l -p 5001 -e dd if=/dev/zero bs=1M count=64 2>/dev/null; done")).EnsureSuccess();
        await using var ns = await TestNetns.CreateAsync();
        try
        {
            var pid = int.Parse((await wharf.Docker("inspect", "-f", "{{.State.Pid}}", server)).EnsureSuccess().Stdout.Trim(), CultureInfo.InvariantCulture);
            var gso = Wharf.Interop.NetNamespace.Invoke($"/proc/{pid}/ns/net", () =>
            {
                using var nl = Wharf.Interop.Netlink.Open();
                return nl.GsoIpv4MaxSize("eth0");
            });
            if (Wharf.Network.BigTcp.Supported(Environment.OSVersion.Version))
                Assert.Equal(192u * 1024, gso);
            else
                Assert.NotEqual(192u * 1024, gso);

            var ip = (await wharf.Docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", server)).EnsureSuccess().Stdout.Trim();
            var between = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", $"nc {ip} 5001 -e sh -c 'wc -c >&2'");
            Assert.True(between.ExitCode == 0, between.ToString());
            Assert.Equal(bytes.ToString(CultureInfo.InvariantCulture), between.Stderr.Trim());

            // The server's count goes to its stderr (nc -e gives the program only stdin and stdout).
            var counter = ns.Start("/bin/busybox", "nc", "-l", "-p", "7778", "-e", "/bin/busybox", "sh", "-c", "wc -c >&2");
            var outbound = await wharf.Docker("run", "--rm", "busybox", "sh", "-c",
                $"for i in 1 2 3 4 5; do nc {ns.InnerAddress} 7778 -e dd if=/dev/zero bs=1M count=64 2>/dev/null && exit 0; sleep 0.3; done; exit 1");
            Assert.True(outbound.ExitCode == 0, outbound.ToString());
            var received = await counter.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(bytes.ToString(CultureInfo.InvariantCulture), received?.Trim());
        }
        finally
        {
            await wharf.Docker("rm", "-f", server);
        }
    }

    [Fact]
    public async Task Wharfd_refuses_a_big_tcp_value_other_than_true_or_false()
    {
        // Refused while parsing flags: nothing starts, nothing is touched.
        var r = await ProcessRunner.RunAsync(TestPaths.Wharfd, ["--big-tcp=maybe"]);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("invalid --big-tcp=maybe: true or false", r.Stdout + r.Stderr);
    }

    [Fact]
    public async Task Overlay_networks_are_refused_clearly()
    {
        var r = await wharf.Docker("network", "create", "-d", "overlay", wharf.UniqueName("ov"));

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not supported on a single host", r.Stderr);
    }

    [Fact]
    public async Task Predefined_networks_cannot_be_removed()
    {
        var r = await wharf.Docker("network", "rm", "bridge");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("bridge is a pre-defined network and cannot be removed", r.Stderr);
    }

    /// <summary>Runs a host tool inside a running container's network namespace (no exec needed).</summary>
    private async Task<CommandResult> InContainerNetns(string container, params string[] args)
    {
        var pid = (await wharf.Docker("inspect", "--format", "{{.State.Pid}}", container)).EnsureSuccess().Stdout.Trim();
        return await ProcessRunner.RunAsync("nsenter", ["-t", pid, "-n", .. args]);
    }
}
