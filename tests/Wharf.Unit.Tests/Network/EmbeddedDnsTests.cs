using System.Net;
using System.Net.Sockets;
using Wharf.Network;
using Wharf.Network.Dns;

namespace Wharf.Unit.Tests.Network;

/// <summary>The embedded server in the test's own namespace on a loopback port, with a fake upstream on loopback:
/// no traffic leaves the machine.</summary>
public sealed class EmbeddedDnsTests : IDisposable
{
    private static readonly uint PeerIp = Ipv4Cidr.ParseIp("10.77.0.2");
    private static readonly IPAddress Peer6 = IPAddress.Parse("fd42:77:1::99");
    private static readonly uint UpstreamIp = Ipv4Cidr.ParseIp("192.0.2.55");
    private readonly EmbeddedDns _dns;
    private readonly Socket _upstream;
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _cts = new();
    private int _upstreamQueries;

    public EmbeddedDnsTests()
    {
        _dns = new EmbeddedDns((id, name) => id != "c1" ? null : name switch
        {
            "peer" or "alias" => [Ipv4Cidr.ToAddress(PeerIp)],
            "dual" => [Ipv4Cidr.ToAddress(PeerIp), Peer6],
            _ => null,
        }, _ => { }, (id, address) => id == "c1" && address.Equals(Ipv4Cidr.ToAddress(PeerIp)) ? "peer.net1" :
            id == "c1" && address.Equals(Peer6) ? "dual.net1" : null);
        _upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _upstream.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _ = FakeUpstreamAsync();
        _server = new IPEndPoint(IPAddress.Loopback, FreePort());
        _dns.Start("c1", null, _server, [_upstream.LocalEndPoint!.ToString()!]);
    }

    public void Dispose()
    {
        _cts.Cancel();
        _dns.Dispose();
        _upstream.Dispose();
        _cts.Dispose();
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>Answers every query with 192.0.2.55.</summary>
    private async Task FakeUpstreamAsync()
    {
        var buf = new byte[1500];
        while (!_cts.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await _upstream.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _cts.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref _upstreamQueries);
            var query = buf.AsSpan(0, r.ReceivedBytes).ToArray();
            var q = DnsMessage.ParseQuery(query)!;
            await _upstream.SendToAsync(DnsMessage.Answer(query, q, DnsMessage.NoError, [UpstreamIp]), SocketFlags.None, r.RemoteEndPoint);
        }
    }

    private async Task<(int Rcode, List<uint> Addresses)> AskUdp(string name, ushort type = DnsMessage.TypeA) =>
        DnsMessage.ReadAnswer(await AskUdpRaw(name, type));

    private async Task<byte[]> AskUdpRaw(string name, ushort type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await s.ConnectAsync(_server);
        await s.SendAsync(DnsMessage.Query(4242, name, type), SocketFlags.None);
        var buf = new byte[1500];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n = await s.ReceiveAsync(buf, SocketFlags.None, timeout.Token);
        return buf.AsSpan(0, n).ToArray();
    }

    [Fact]
    public async Task A_name_on_an_ipv6_network_answers_aaaa_with_its_ipv6_address_and_a_with_its_ipv4_one()
    {
        var aaaa = await AskUdpRaw("dual", DnsMessage.TypeAaaa);
        var a = await AskUdpRaw("dual", DnsMessage.TypeA);

        Assert.Equal(DnsMessage.NoError, DnsMessage.ReadAnswer(aaaa).Rcode);
        Assert.Equal([Peer6], DnsMessage.ReadAaaa(aaaa));
        Assert.Empty(DnsMessage.ReadAnswer(aaaa).Addresses);
        Assert.Equal([PeerIp], DnsMessage.ReadAnswer(a).Addresses);
        Assert.Empty(DnsMessage.ReadAaaa(a));
        Assert.Equal(0, Volatile.Read(ref _upstreamQueries));
    }

    [Fact]
    public async Task Container_names_and_aliases_are_answered_locally()
    {
        var (rcode, addresses) = await AskUdp("PEER.");
        var alias = await AskUdp("alias");

        Assert.Equal(DnsMessage.NoError, rcode);
        Assert.Equal([PeerIp], addresses);
        Assert.Equal([PeerIp], alias.Addresses);
        Assert.Equal(0, Volatile.Read(ref _upstreamQueries));
    }

    [Fact]
    public async Task Aaaa_for_a_container_name_is_empty_not_forwarded()
    {
        var (rcode, addresses) = await AskUdp("peer", DnsMessage.TypeAaaa);

        Assert.Equal(DnsMessage.NoError, rcode);
        Assert.Empty(addresses);
        Assert.Equal(0, Volatile.Read(ref _upstreamQueries));
    }

    [Fact]
    public async Task Other_names_are_forwarded_to_the_upstream()
    {
        var (rcode, addresses) = await AskUdp("example.test");

        Assert.Equal(DnsMessage.NoError, rcode);
        Assert.Equal([UpstreamIp], addresses);
        Assert.Equal(1, Volatile.Read(ref _upstreamQueries));
    }

    [Fact]
    public async Task Tcp_queries_are_answered_too()
    {
        using var c = new TcpClient();
        await c.ConnectAsync(_server);
        var stream = c.GetStream();
        await EmbeddedDns.WriteFramedAsync(stream, DnsMessage.Query(5, "peer", DnsMessage.TypeA), CancellationToken.None);
        var resp = await EmbeddedDns.ReadFramedAsync(stream, CancellationToken.None);

        Assert.NotNull(resp);
        Assert.Equal([PeerIp], DnsMessage.ReadAnswer(resp).Addresses);
    }

    [Fact]
    public async Task Reverse_lookups_of_container_addresses_answer_name_dot_network_and_others_are_forwarded()
    {
        var v4 = await AskUdpRaw("2.0.77.10.in-addr.arpa", DnsMessage.TypePtr);
        var v6 = await AskUdpRaw(string.Join('.', Convert.ToHexString(Peer6.GetAddressBytes()).ToLowerInvariant().Reverse()) + ".ip6.arpa",
            DnsMessage.TypePtr);

        Assert.Equal(["peer.net1"], DnsMessage.ReadPtr(v4));
        Assert.Equal(["dual.net1"], DnsMessage.ReadPtr(v6));
        Assert.Equal(0, Volatile.Read(ref _upstreamQueries));

        await AskUdpRaw("9.9.9.10.in-addr.arpa", DnsMessage.TypePtr);
        Assert.Equal(1, Volatile.Read(ref _upstreamQueries));
    }

    [Fact]
    public async Task Stop_closes_the_sockets()
    {
        _dns.Stop("c1");

        Assert.False(_dns.IsServing("c1"));
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await s.ConnectAsync(_server));
    }
}
