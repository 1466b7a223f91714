using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Wharf.EndToEnd.Tests;

/// <summary>IPv6 on user-defined bridge networks (<c>docker network create --ipv6</c>) through the real docker CLI:
/// addresses in inspect, container-to-container TCP over IPv6 by address and by an AAAA name, a server the test runs
/// on the bridge's own IPv6 gateway address, the ip6 nft table, connect/disconnect, cleanup. Traffic only goes to the
/// unique local subnets these tests create.</summary>
[Collection(NetworksCollection.Name)]
public sealed class Ipv6NetworkTests(DaemonFixture wharf)
{
    /// <summary>A random unique local /64 prefix ("fdxx:xxxx:xxxx:", in the form inspect prints it: no zero group,
    /// no leading zeros) that no host route overlaps.</summary>
    private static string RandomUlaPrefix()
    {
        var routes = File.ReadAllText("/proc/net/ipv6_route");
        while (true)
        {
            int a = Random.Shared.Next(0x10, 0x100), b = Random.Shared.Next(1, 0x10000), c = Random.Shared.Next(1, 0x10000);
            var hex = string.Create(CultureInfo.InvariantCulture, $"fd{a:x2}{b:x4}{c:x4}");
            if (!routes.Contains(hex, StringComparison.Ordinal))
                return string.Create(CultureInfo.InvariantCulture, $"fd{a:x2}:{b:x}:{c:x}:");
        }
    }

    private async Task<string> Inspect(string container, string format) =>
        (await wharf.Docker("inspect", "--format", format, container)).EnsureSuccess().Stdout.Trim();

    [Fact]
    public async Task Two_containers_talk_over_ipv6_by_address_and_by_aaaa_name()
    {
        var p = RandomUlaPrefix();
        var net = wharf.UniqueName("v6");
        var srv = wharf.UniqueName("v6srv");
        var cli = wharf.UniqueName("v6cli");
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "--subnet", p + ":/64", "--gateway", p + ":1", net)).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", srv, "--network", net, "--ip6", p + ":99", "--network-alias", "svc6",
                "busybox", "sleep", "120")).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", cli, "--network", net, "busybox", "sleep", "120")).EnsureSuccess();

            var ep = await Inspect(cli, $"{{{{with index .NetworkSettings.Networks \"{net}\"}}}}{{{{.GlobalIPv6Address}}}}|{{{{.GlobalIPv6PrefixLen}}}}|{{{{.IPv6Gateway}}}}{{{{end}}}}");
            Assert.Equal($"{p}:2|64|{p}:1", ep);
            var netInspect = (await wharf.Docker("network", "inspect", net, "--format",
                "{{.EnableIPv6}}|{{range .IPAM.Config}}{{.Subnet}} {{end}}|{{range .Containers}}{{.Name}}={{.IPv6Address}} {{end}}")).EnsureSuccess().Stdout.Trim();
            var f = netInspect.Split('|');
            Assert.Equal("true", f[0]);
            Assert.EndsWith(p + ":/64", f[1].Trim());
            Assert.Contains($"{srv}={p}:99/64", f[2]);
            Assert.Contains($"{cli}={p}:2/64", f[2]);
            var hostname = await Inspect(cli, "{{.Config.Hostname}}");
            var hosts = (await wharf.Docker("exec", cli, "cat", "/etc/hosts")).EnsureSuccess().Stdout;
            Assert.Contains($"{p}:2\t{hostname}\n", hosts);

            // The server answers each connection with its socket table: the line of the connection shows which
            // addresses it really came between (an IPv4 fallback would show up there).
            (await wharf.Docker("exec", "-d", srv, "nc", "-ll", "-p", "7001", "-e", "netstat", "-tn")).EnsureSuccess();
            var byAddress = (await wharf.Docker("exec", cli, "sh", "-c",
                $"for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 3 {p}:99 7001 </dev/null && exit 0; sleep 0.3; done; exit 1")).EnsureSuccess().Stdout;
            Assert.Matches($@"{Regex(p)}:99:7001\s+{Regex(p)}:2:\d+", byAddress);

            var aaaa = (await wharf.Docker("exec", cli, "nslookup", "-type=aaaa", "svc6")).EnsureSuccess().Stdout;
            Assert.Contains($"Address: {p}:99", aaaa);
            var both = (await wharf.Docker("exec", cli, "nslookup", srv)).EnsureSuccess().Stdout;
            Assert.Contains($"Address: {p}:99", both);
            Assert.Matches(@"Address: \d+\.\d+\.\d+\.\d+", both);
            // By name over IPv6: the alias's AAAA answer is what nc connects to.
            var byName = (await wharf.Docker("exec", cli, "sh", "-c",
                "a=$(nslookup -type=aaaa svc6 | awk '/^Address: .*:/ {a=$2} END {print a}'); echo \"[$a]\"; nc -w 3 \"$a\" 7001 </dev/null")).EnsureSuccess().Stdout;
            Assert.Contains($"[{p}:99]", byName);
            Assert.Matches($@"{Regex(p)}:99:7001\s+{Regex(p)}:2:\d+", byName);
        }
        finally
        {
            await wharf.Docker("rm", "-f", srv, cli);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task A_container_reaches_a_server_on_the_bridge_ipv6_gateway()
    {
        var p = RandomUlaPrefix();
        var net = wharf.UniqueName("v6gw");
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "--subnet", p + ":/64", net)).EnsureSuccess();
            // The listener binds the gateway address the network just put on its bridge: nothing else is reachable.
            using var listener = new TcpListener(IPAddress.Parse(p + ":1"), 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accept = listener.AcceptTcpClientAsync();

            var run = wharf.Docker("run", "--rm", "--network", net, "busybox", "sh", "-c",
                $"echo hello-v6 | nc -w 3 {p}:1 {port}");
            using var client = await accept.WaitAsync(TimeSpan.FromSeconds(30));
            using var reader = new StreamReader(client.GetStream());
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var remote = (IPEndPoint)client.Client.RemoteEndPoint!;
            client.Close();
            (await run).EnsureSuccess();

            Assert.Equal("hello-v6", line);
            Assert.Equal(IPAddress.Parse(p + ":2"), remote.Address);
        }
        finally
        {
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Default_ula_subnet_bridge_address_and_ip6_rules_come_and_go_with_the_network()
    {
        var net = wharf.UniqueName("v6auto");
        var internalNet = wharf.UniqueName("v6int");
        var bridge = "w6" + wharf.Suffix;
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "-o", "com.docker.network.bridge.name=" + bridge, net)).EnsureSuccess();
            (await wharf.Docker("network", "create", "--ipv6", "--internal", internalNet)).EnsureSuccess();
            var subnet = (await wharf.Docker("network", "inspect", net, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}|{{end}}")).EnsureSuccess().Stdout.Trim();
            var v6 = subnet.Split('|', StringSplitOptions.RemoveEmptyEntries)[1].Split(' ');
            Assert.Matches("^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/64$", v6[0]);
            Assert.Equal(v6[0].Replace("/64", "1", StringComparison.Ordinal), v6[1]);
            var internalSubnet = (await wharf.Docker("network", "inspect", internalNet, "--format", "{{(index .IPAM.Config 1).Subnet}}")).EnsureSuccess().Stdout.Trim();

            var addr = (await ProcessRunner.RunAsync("ip", ["-6", "addr", "show", "dev", bridge])).EnsureSuccess().Stdout;
            Assert.Contains($"inet6 {v6[1]}/64 scope global", addr);
            Assert.DoesNotContain("tentative", addr.Split('\n').First(l => l.Contains(v6[1], StringComparison.Ordinal)));
            var table = await Nft6();
            Assert.Contains($"ip6 saddr {v6[0]} oifname != \"{bridge}\" masquerade", table);
            Assert.DoesNotContain(internalSubnet, table);                  // --internal: no way out, so no masquerade
            Assert.Equal("1", (await File.ReadAllTextAsync("/proc/sys/net/ipv6/conf/all/forwarding")).Trim());

            (await wharf.Docker("network", "rm", net, internalNet)).EnsureSuccess();

            Assert.False(HostNetwork.LinkExists(bridge));
            Assert.DoesNotContain(v6[0], await Nft6());
            Assert.DoesNotContain(bridge, await Nft6());
        }
        finally
        {
            await wharf.Docker("network", "rm", net, internalNet);
        }
    }

    [Fact]
    public async Task Connect_and_disconnect_a_running_container_to_an_ipv6_network()
    {
        var p = RandomUlaPrefix();
        var net = wharf.UniqueName("v6cn");
        var ctr = wharf.UniqueName("v6cc");
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "--subnet", p + ":/64", net)).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", ctr, "busybox", "sleep", "120")).EnsureSuccess();

            (await wharf.Docker("network", "connect", "--ip6", p + ":42", net, ctr)).EnsureSuccess();
            var addr = (await wharf.Docker("exec", ctr, "ip", "-6", "addr", "show", "eth1")).EnsureSuccess().Stdout;
            Assert.Contains($"inet6 {p}:42/64 scope global", addr);
            var route = (await wharf.Docker("exec", ctr, "ip", "-6", "route")).EnsureSuccess().Stdout;
            Assert.Contains($"default via {p}:1 dev eth1", route);
            var ping = await wharf.Docker("exec", ctr, "ping", "-c", "1", "-W", "5", p + ":1");
            Assert.True(ping.ExitCode == 0, ping.ToString());
            Assert.Equal(p + ":42", await Inspect(ctr, $"{{{{(index .NetworkSettings.Networks \"{net}\").GlobalIPv6Address}}}}"));

            (await wharf.Docker("network", "disconnect", net, ctr)).EnsureSuccess();
            var after = (await wharf.Docker("exec", ctr, "ip", "-6", "addr")).EnsureSuccess().Stdout;
            Assert.DoesNotContain(p, after);
            var containers = (await wharf.Docker("network", "inspect", net, "--format", "{{len .Containers}}")).EnsureSuccess().Stdout.Trim();
            Assert.Equal("0", containers);
        }
        finally
        {
            await wharf.Docker("rm", "-f", ctr);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Ip6_is_refused_on_the_default_bridge_and_on_networks_without_a_user_ipv6_subnet()
    {
        var onBridge = await wharf.Docker("run", "--rm", "--ip6", "fd00:dead::5", "busybox", "true");
        Assert.NotEqual(0, onBridge.ExitCode);
        Assert.Contains("user specified IP address is supported only when connecting to networks with user configured subnets", onBridge.Stderr);

        var net = wharf.UniqueName("v6no");
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", net)).EnsureSuccess();
            var auto = await wharf.Docker("run", "--rm", "--network", net, "--ip6", "fd00:dead::5", "busybox", "true");
            Assert.NotEqual(0, auto.ExitCode);
            Assert.Contains("user configured subnets", auto.Stderr);
        }
        finally
        {
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Outbound_ipv6_is_masqueraded_to_a_server_in_a_test_namespace()
    {
        var p = RandomUlaPrefix();
        var outside = RandomUlaPrefix();
        var net = wharf.UniqueName("v6nat");
        await using var ns = await TestNetns.CreateAsync(outside);
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "--subnet", p + ":/64", net)).EnsureSuccess();
            // The namespace has no route back to the container subnet: only masquerade lets the answer return.
            var server = ns.Start("/bin/busybox", "nc", "-l", "-p", "7778", "-e", "/bin/busybox", "netstat", "-tn");

            var client = await wharf.Docker("run", "--rm", "--network", net, "busybox", "sh", "-c",
                $"for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 {ns.InnerAddress6} 7778 </dev/null && exit 0; sleep 0.3; done; exit 1");

            Assert.True(client.ExitCode == 0, client.ToString());
            Assert.Matches($@"{Regex(outside)}:2:7778\s+{Regex(outside)}:1:\d+", client.Stdout);
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Ipv6_rules_and_addresses_are_reconciled_after_the_daemon_is_killed_and_restarted()
    {
        var p = RandomUlaPrefix();
        var net = wharf.UniqueName("v6rec");
        var ctr = wharf.UniqueName("v6rc");
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "--subnet", p + ":/64", net)).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", ctr, "--network", net, "busybox", "sleep", "120")).EnsureSuccess();

            await wharf.Daemon.KillAsync();
            await wharf.Daemon.StartAsync();

            var masquerade = $"ip6 saddr {p}:/64";
            Assert.Equal(1, (await Nft6()).Split('\n').Count(l => l.Contains(masquerade, StringComparison.Ordinal)));
            Assert.Contains($"={p}:2/64", (await wharf.Docker("network", "inspect", net, "--format",
                "{{range .Containers}}{{.Name}}={{.IPv6Address}}{{end}}")).EnsureSuccess().Stdout);
            // The running container kept its address, so the next one gets the one after it.
            var next = (await wharf.Docker("run", "--rm", "--network", net, "busybox", "ip", "-6", "addr", "show", "eth0")).EnsureSuccess().Stdout;
            Assert.Contains($"inet6 {p}:3/64", next);
            var dns = (await wharf.Docker("run", "--rm", "--network", net, "busybox", "nslookup", "-type=aaaa", ctr)).EnsureSuccess().Stdout;
            Assert.Contains($"Address: {p}:2", dns);

            (await wharf.Docker("rm", "-f", ctr)).EnsureSuccess();
            (await wharf.Docker("network", "rm", net)).EnsureSuccess();
            Assert.DoesNotContain(masquerade, await Nft6());
        }
        finally
        {
            if (!wharf.Daemon.IsRunning) await wharf.Daemon.StartAsync();
            await wharf.Docker("rm", "-f", ctr);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task A_port_published_on_all_addresses_is_reachable_on_the_hosts_ipv6_address()
    {
        var p = RandomUlaPrefix();
        var net = wharf.UniqueName("v6p");
        var web = wharf.UniqueName("v6web");
        int port = PortTests.FreePort();
        try
        {
            (await wharf.Docker("network", "create", "--ipv6", "--subnet", p + ":/64", net)).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", web, "--network", net, "-p", $"{port}:80", "busybox", "sh", "-c",
                "mkdir -p /www && echo hello-v6port > /www/index.html && exec httpd -f -p 80 -h /www")).EnsureSuccess();

            // The bridge's gateway is a host address this test created; the port is DNATed from it like from any
            // other IPv6 address of the host (but not from ::1, which IPv6 cannot route to a container).
            var body = await PortTests.Curl($"http://[{p}:1]:{port}/");
            Assert.Equal("hello-v6port", body.EnsureSuccess().Stdout.Trim());
            Assert.Contains($"tcp dport {port} dnat to [{p}:2]:80", await Nft6());
            var shown = (await wharf.Docker("port", web)).EnsureSuccess().StdoutLines;
            Assert.Equal(new[] { $"80/tcp -> 0.0.0.0:{port}", $"80/tcp -> [::]:{port}" }.Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));

            (await wharf.Docker("rm", "-f", web)).EnsureSuccess();
            Assert.DoesNotContain($"dport {port} ", await Nft6());
        }
        finally
        {
            await wharf.Docker("rm", "-f", web);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Wharf_cli_creates_a_dual_stack_network_and_runs_with_ip6()
    {
        var p = RandomUlaPrefix();
        var net = wharf.UniqueName("v6w");
        var ctr = wharf.UniqueName("v6wc");
        try
        {
            (await wharf.Wharf("network", "create", "--ipv6", "--subnet", "10.251.61.0/24", "--subnet", p + ":/64",
                "--gateway", p + ":fe", "--gateway", "10.251.61.254", net)).EnsureSuccess();
            (await wharf.Wharf("run", "-d", "--name", ctr, "--network", net, "--ip6", p + ":7", "busybox", "sleep", "60")).EnsureSuccess();

            var ipam = (await wharf.Docker("network", "inspect", net, "--format", "{{range .IPAM.Config}}{{.Subnet}}={{.Gateway}} {{end}}")).EnsureSuccess().Stdout.Trim();
            Assert.Equal($"10.251.61.0/24=10.251.61.254 {p}:/64={p}:fe", ipam);
            var route = (await wharf.Docker("exec", ctr, "ip", "-6", "route")).EnsureSuccess().Stdout;
            Assert.Contains($"default via {p}:fe dev eth0", route);
            Assert.Contains($"inet6 {p}:7/64", (await wharf.Docker("exec", ctr, "ip", "-6", "addr", "show", "eth0")).EnsureSuccess().Stdout);
        }
        finally
        {
            await wharf.Docker("rm", "-f", ctr);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Wharfd_refuses_ipv6_on_the_default_bridge_with_a_clear_message()
    {
        // Refused while parsing flags: nothing starts, nothing is touched.
        var r = await ProcessRunner.RunAsync(TestPaths.Wharfd, ["--ipv6", "--fixed-cidr-v6", "fd00:1::/64"]);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("the default bridge is IPv4 only", r.Stdout + r.Stderr);
        Assert.Contains("docker network create --ipv6", r.Stdout + r.Stderr);
    }

    private async Task<string> Nft6() =>
        (await ProcessRunner.RunAsync("nft", ["list", "table", "ip6", wharf.Daemon.FirewallTable])).Stdout;

    private static string Regex(string s) => System.Text.RegularExpressions.Regex.Escape(s);
}
