using System.Net;
using System.Net.Sockets;
using Wharf.Network.Dns;

namespace Wharf.EndToEnd.Tests;

/// <summary>The embedded DNS server through the real docker CLI: names and aliases on a user network, none on the
/// default bridge, forwarding to a fake upstream on the host's loopback (never off the machine), /etc/hosts.</summary>
[Collection(NetworksCollection.Name)]
public sealed class DnsTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Containers_on_a_user_network_reach_each_other_by_name_alias_and_name_dot_network()
    {
        var net = wharf.UniqueName("dns");
        (await wharf.Docker("network", "create", net)).EnsureSuccess();
        var server = wharf.UniqueName("srv");
        try
        {
            (await wharf.Docker("run", "-d", "--name", server, "--network", net, "--network-alias", "db",
                "busybox", "sh", "-c", "while true; do echo pong | nc -l -p 7000; done")).EnsureSuccess();
            var ip = (await wharf.Docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", server)).EnsureSuccess().Stdout.Trim();
            var id = (await wharf.Docker("inspect", "--format", "{{.Id}}", server)).EnsureSuccess().Stdout.Trim();

            var lookup = await wharf.Docker("run", "--rm", "--network", net, "busybox", "sh", "-c",
                $"nslookup {server} && nslookup db && nslookup {id[..12]} && nslookup {server}.{net} && cat /etc/resolv.conf");
            Assert.True(lookup.ExitCode == 0, lookup.ToString());
            Assert.Equal(4, lookup.StdoutLines.Count(l => l.Contains("Address: " + ip, StringComparison.Ordinal)));

            // Reverse lookups answer name.network, as Docker's resolver does.
            var reverse = await wharf.Docker("run", "--rm", "--network", net, "busybox", "nslookup", ip);
            Assert.True(reverse.ExitCode == 0, reverse.ToString());
            Assert.Contains(reverse.StdoutLines, l => l.Contains($"name = {server}.{net}", StringComparison.Ordinal));
            Assert.Contains("nameserver 127.0.0.11", lookup.StdoutLines);
            Assert.Contains(lookup.StdoutLines, l => l.StartsWith("options", StringComparison.Ordinal) && l.Contains("ndots:0", StringComparison.Ordinal));

            var talk = await wharf.Docker("run", "--rm", "--network", net, "busybox", "sh", "-c",
                "for i in 1 2 3 4 5; do r=$(echo ping | nc -w 2 db 7000) && [ \"$r\" = pong ] && echo got-$r && exit 0; sleep 0.3; done; exit 1");
            Assert.True(talk.ExitCode == 0, talk.ToString());
            Assert.Contains("got-pong", talk.StdoutLines);
        }
        finally
        {
            await wharf.Docker("rm", "-f", server);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Names_do_not_resolve_across_networks_nor_on_the_default_bridge()
    {
        var net = wharf.UniqueName("dnsa");
        var other = wharf.UniqueName("dnsb");
        (await wharf.Docker("network", "create", net)).EnsureSuccess();
        (await wharf.Docker("network", "create", other)).EnsureSuccess();
        var a = wharf.UniqueName("isoa");
        var b = wharf.UniqueName("isob");
        try
        {
            (await wharf.Docker("run", "-d", "--name", a, "--network", net, "busybox", "sleep", "60")).EnsureSuccess();
            (await wharf.Docker("run", "-d", "--name", b, "busybox", "sleep", "60")).EnsureSuccess();

            // Upstream: a loopback address nothing listens on, so a forwarded query fails fast and stays local.
            var cross = await wharf.Docker("run", "--rm", "--network", other, "--dns", "127.0.0.1", "busybox", "nslookup", a);
            Assert.NotEqual(0, cross.ExitCode);

            var bridge = await wharf.Docker("run", "--rm", "--dns", "127.0.0.1", "busybox", "sh", "-c", $"cat /etc/resolv.conf; nslookup {b}");
            Assert.NotEqual(0, bridge.ExitCode);
            Assert.DoesNotContain("nameserver 127.0.0.11", bridge.StdoutLines);
        }
        finally
        {
            await wharf.Docker("rm", "-f", a, b);
            await wharf.Docker("network", "rm", net, other);
        }
    }

    [Fact]
    public async Task Other_names_are_forwarded_to_the_dns_servers_from_the_daemons_namespace()
    {
        // A fake upstream on a loopback address of the host, answering every A query with 192.0.2.99.
        var address = IPAddress.Parse($"127.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(2, 250)}");
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        upstream.Bind(new IPEndPoint(address, 53));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = Task.Run(async () =>
        {
            var buf = new byte[1500];
            while (!cts.IsCancellationRequested)
            {
                var r = await upstream.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                var query = buf.AsSpan(0, r.ReceivedBytes).ToArray();
                var q = DnsMessage.ParseQuery(query);
                if (q is null) continue;
                var addresses = q.Type == DnsMessage.TypeA ? new[] { Wharf.Network.Ipv4Cidr.ParseIp("192.0.2.99") } : [];
                await upstream.SendToAsync(DnsMessage.Answer(query, q, DnsMessage.NoError, addresses), SocketFlags.None, r.RemoteEndPoint);
            }
        });
        var net = wharf.UniqueName("dnsf");
        (await wharf.Docker("network", "create", net)).EnsureSuccess();
        try
        {
            var r = await wharf.Docker("run", "--rm", "--network", net, "--dns", address.ToString(), "busybox", "nslookup", "upstream.example.test");

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("Address: 192.0.2.99", r.StdoutLines);
        }
        finally
        {
            await cts.CancelAsync();
            await wharf.Docker("network", "rm", net);
            try { await serving; } catch (OperationCanceledException) { }
        }
    }

    [Fact]
    public async Task Hosts_and_resolv_conf_follow_the_flags()
    {
        var r = await wharf.Docker("run", "--rm", "--add-host", "gw:host-gateway", "--add-host", "db.local:10.1.2.3",
            "--dns", "192.0.2.53", "--dns-search", "corp.example", "--dns-option", "timeout:2",
            "busybox", "sh", "-c", "cat /etc/hosts /etc/resolv.conf");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"{wharf.Daemon.BridgeAddress.Split('/')[0]}\tgw", r.StdoutLines);
        Assert.Contains("10.1.2.3\tdb.local", r.StdoutLines);
        Assert.Contains("nameserver 192.0.2.53", r.StdoutLines);
        Assert.Contains("search corp.example", r.StdoutLines);
        Assert.Contains("options timeout:2", r.StdoutLines);
    }
}
