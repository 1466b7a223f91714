namespace Wharf.EndToEnd.Tests;

/// <summary>macvlan networks whose parent is the host end of a veth pair into a test namespace (this kernel has no
/// dummy module): two containers talk to each other by name and are reachable from the test namespace.</summary>
[Collection(NetworksCollection.Name)]
public sealed class MacvlanTests(DaemonFixture wharf)
{
    [Fact]
    public async Task Two_containers_on_a_macvlan_network_talk_and_reach_the_parents_segment()
    {
        await using var ns = await TestNetns.CreateAsync();
        var prefix = ns.HostAddress[..ns.HostAddress.LastIndexOf('.')];
        var net = wharf.UniqueName("mv");
        var server = wharf.UniqueName("mvs");
        (await wharf.Docker("network", "create", "-d", "macvlan", "--subnet", prefix + ".0/24", "--gateway", ns.HostAddress,
            "--ip-range", prefix + ".128/25", "-o", "parent=" + ns.HostInterface, net)).EnsureSuccess();
        try
        {
            (await wharf.Docker("run", "-d", "--name", server, "--network", net, "busybox", "sh", "-c",
                "while true; do echo pong | nc -l -p 7000; done")).EnsureSuccess();
            var ip = (await wharf.Docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", server)).EnsureSuccess().Stdout.Trim();
            Assert.StartsWith(prefix + ".", ip);

            var talk = await wharf.Docker("run", "--rm", "--network", net, "busybox", "sh", "-c",
                $"for i in 1 2 3 4 5; do r=$(echo ping | nc -w 2 {server} 7000) && [ \"$r\" = pong ] && echo got-$r && exit 0; sleep 0.3; done; exit 1");
            Assert.True(talk.ExitCode == 0, talk.ToString());
            Assert.Contains("got-pong", talk.StdoutLines);

            var ping = await ns.Exec("/bin/busybox", "ping", "-c", "1", "-W", "3", ip);
            Assert.True(ping.ExitCode == 0, ping.ToString());
        }
        finally
        {
            await wharf.Docker("rm", "-f", server);
            await wharf.Docker("network", "rm", net);
        }
    }

    [Fact]
    public async Task Macvlan_without_an_existing_parent_is_refused()
    {
        var r = await wharf.Docker("network", "create", "-d", "macvlan", "-o", "parent=nosuchlink0", wharf.UniqueName("mvx"));

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("parent interface was not found", r.Stderr);
    }
}
