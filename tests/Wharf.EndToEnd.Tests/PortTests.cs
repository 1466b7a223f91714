using System.Net;
using System.Net.Sockets;

namespace Wharf.EndToEnd.Tests;

/// <summary>Published ports through the real docker CLI: -p on 127.0.0.1 served to curl on the host, -P, docker port,
/// ps, conflicts, release on rm, and the DNAT rules after wharfd is SIGKILLed and restarted. Traffic stays on
/// loopback and this daemon's bridge.</summary>
[Collection(NetworksCollection.Name)]
public sealed class PortTests(DaemonFixture wharf)
{
    private const string Httpd = "mkdir -p /www && echo hello-port > /www/index.html && exec httpd -f -p 80 -h /www";

    /// <summary>A host port nothing uses right now.</summary>
    internal static int FreePort()
    {
        for (int i = 0; i < 100; i++)
        {
            int port = Random.Shared.Next(20000, 30000);
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException("no free port found in 20000-30000");
    }

    internal static async Task<CommandResult> Curl(string url) =>
        await ProcessRunner.RunAsync("curl", ["-sS", "--retry", "10", "--retry-delay", "1", "--retry-all-errors", "--max-time", "5", url]);

    private async Task<string> Rules() =>
        (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", wharf.Daemon.FirewallTable])).EnsureSuccess().Stdout;

    [Fact]
    public async Task Port_on_127_0_0_1_is_served_to_curl_on_the_host_and_shown_by_port_and_ps()
    {
        var name = wharf.UniqueName("web");
        int port = FreePort();
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:80", "busybox", "sh", "-c", Httpd)).EnsureSuccess();

            var body = await Curl($"http://127.0.0.1:{port}/");
            Assert.True(body.ExitCode == 0, body.ToString());
            Assert.Equal("hello-port", body.Stdout.Trim());

            Assert.Equal($"80/tcp -> 127.0.0.1:{port}", (await wharf.Docker("port", name)).EnsureSuccess().Stdout.Trim());
            Assert.Equal($"127.0.0.1:{port}->80/tcp", (await wharf.Docker("ps", "--filter", "name=" + name, "--format", "{{.Ports}}")).EnsureSuccess().Stdout.Trim());
            var inspect = (await wharf.Docker("inspect", "--format", "{{json .NetworkSettings.Ports}}", name)).EnsureSuccess().Stdout.Trim();
            Assert.Equal($"{{\"80/tcp\":[{{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"{port}\"}}]}}", inspect);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Second_claim_of_a_port_is_refused_and_rm_releases_it()
    {
        var first = wharf.UniqueName("p1");
        var second = wharf.UniqueName("p2");
        int port = FreePort();
        try
        {
            (await wharf.Docker("run", "-d", "--name", first, "-p", $"{port}:80", "busybox", "sleep", "60")).EnsureSuccess();
            Assert.Contains($"dport {port} ", await Rules());

            var clash = await wharf.Docker("run", "-d", "--name", second, "-p", $"{port}:80", "busybox", "sleep", "60");
            Assert.NotEqual(0, clash.ExitCode);
            Assert.Contains($"Bind for 0.0.0.0:{port} failed: port is already allocated", clash.Stderr);

            (await wharf.Docker("rm", "-f", first)).EnsureSuccess();
            Assert.DoesNotContain($"dport {port} ", await Rules());
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Any, port));       // free again on the host
        }
        finally
        {
            await wharf.Docker("rm", "-f", first, second);
        }
    }

    [Fact]
    public async Task Publish_all_gives_exposed_ports_ephemeral_host_ports_reachable_from_host_and_containers()
    {
        var name = wharf.UniqueName("pall");
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "--expose", "80", "-P", "busybox", "sh", "-c", Httpd)).EnsureSuccess();
            var mapping = (await wharf.Docker("port", name, "80/tcp")).EnsureSuccess().Stdout.Trim();
            Assert.StartsWith("0.0.0.0:", mapping);
            int port = int.Parse(mapping["0.0.0.0:".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(port, 1024, 65535);

            var body = await Curl($"http://127.0.0.1:{port}/");
            Assert.True(body.ExitCode == 0, body.ToString());
            Assert.Equal("hello-port", body.Stdout.Trim());

            // Another container through the host's address on its bridge (hairpin through the DNAT).
            var gateway = wharf.Daemon.BridgeAddress.Split('/')[0];
            var peer = await wharf.Docker("run", "--rm", "busybox", "sh", "-c",
                $"for i in 1 2 3 4 5; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {gateway} {port} | grep hello-port && exit 0; sleep 0.3; done; exit 1");
            Assert.True(peer.ExitCode == 0, peer.ToString());
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Rules_are_reconciled_after_the_daemon_is_killed_and_restarted()
    {
        var name = wharf.UniqueName("recon");
        int port = FreePort();
        try
        {
            (await wharf.Docker("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:80", "busybox", "sh", "-c", Httpd)).EnsureSuccess();
            Assert.Equal("hello-port", (await Curl($"http://127.0.0.1:{port}/")).EnsureSuccess().Stdout.Trim());

            await wharf.Daemon.KillAsync();
            await wharf.Daemon.StartAsync();

            var rules = await Rules();
            Assert.Equal(1, rules.Split('\n').Count(l => l.Contains($"dport {port} ", StringComparison.Ordinal)));
            Assert.Equal("hello-port", (await Curl($"http://127.0.0.1:{port}/")).EnsureSuccess().Stdout.Trim());
            var clash = await wharf.Docker("run", "--rm", "-p", $"127.0.0.1:{port}:80", "busybox", "true");
            Assert.Contains("port is already allocated", clash.Stderr);

            (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
            Assert.DoesNotContain($"dport {port} ", await Rules());
        }
        finally
        {
            if (!wharf.Daemon.IsRunning) await wharf.Daemon.StartAsync();
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Wharf_cli_publishes_ports_the_same_way()
    {
        var name = wharf.UniqueName("wweb");
        int port = FreePort();
        try
        {
            (await wharf.Wharf("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:80", "busybox", "sh", "-c", Httpd)).EnsureSuccess();

            var body = await Curl($"http://127.0.0.1:{port}/");
            Assert.True(body.ExitCode == 0, body.ToString());
            Assert.Equal("hello-port", body.Stdout.Trim());
            Assert.Contains($"127.0.0.1:{port}->80/tcp", (await wharf.Wharf("ps")).EnsureSuccess().Stdout);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }
}
