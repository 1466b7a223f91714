using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Wharf.Interop;

namespace Wharf.Network.Dns;

/// <summary>Answers the names of one container's networks: null when the name is not one of them (forward it),
/// otherwise its addresses (IPv4, and IPv6 on IPv6 networks) on the networks the asking container shares with it.</summary>
public delegate IReadOnlyList<IPAddress>? DnsLookup(string containerId, string name);

/// <summary>Answers a reverse lookup: the name (without the trailing dot) of an address on one of the asking
/// container's networks, or null to forward the query.</summary>
public delegate string? DnsReverseLookup(string containerId, IPAddress address);

/// <summary>
/// Docker's embedded DNS server at 127.0.0.11:53 inside each container on a user-defined network. The UDP and TCP
/// sockets are created by a thread that entered the container's network namespace (see <see cref="NetNamespace"/>);
/// after that they are ordinary sockets served by the daemon's async I/O, so a container costs two sockets and no
/// thread. Names of the container's networks are answered locally; everything else is forwarded, from the daemon's
/// own namespace, to the container's upstream servers. Closing the sockets on stop matters: they pin the namespace.
/// </summary>
public sealed class EmbeddedDns : IDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse(ResolvConf.EmbeddedServer);

    private static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(3);
    private readonly DnsLookup _lookup;
    private readonly DnsReverseLookup? _reverse;
    private readonly Action<string> _log;
    private readonly object _sync = new();
    private readonly Dictionary<string, Listener> _listeners = new(StringComparer.Ordinal);

    public EmbeddedDns(DnsLookup lookup, Action<string> log, DnsReverseLookup? reverse = null)
    {
        _lookup = lookup;
        _log = log;
        _reverse = reverse;
    }

    private sealed class Listener(string containerId, Socket udp, Socket tcp, IReadOnlyList<IPEndPoint> upstreams) : IDisposable
    {
        public string ContainerId { get; } = containerId;
        public Socket Udp { get; } = udp;
        public Socket Tcp { get; } = tcp;
        public IReadOnlyList<IPEndPoint> Upstreams { get; } = upstreams;
        public CancellationTokenSource Cts { get; } = new();

        public void Dispose()
        {
            Cts.Cancel();
            Udp.Dispose();
            Tcp.Dispose();
            Cts.Dispose();
        }
    }

    public bool IsServing(string containerId)
    {
        lock (_sync) return _listeners.ContainsKey(containerId);
    }

    /// <summary>Starts serving a container whose network namespace is <c>/proc/&lt;pid&gt;/ns/net</c> (idempotent).
    /// Its loopback must be up already.</summary>
    public void Start(string containerId, int pid, IReadOnlyList<string> upstreams) =>
        Start(containerId, $"/proc/{pid}/ns/net", new IPEndPoint(Address, 53), upstreams);

    /// <summary>Starts a listener on <paramref name="bind"/> inside the namespace at <paramref name="netnsPath"/>
    /// (null: the daemon's own namespace, which unit tests use).</summary>
    public void Start(string containerId, string? netnsPath, IPEndPoint bind, IReadOnlyList<string> upstreams)
    {
        lock (_sync)
        {
            if (_listeners.ContainsKey(containerId)) return;
        }
        var ups = upstreams.Select(ParseUpstream).Where(e => e is not null).Select(e => e!).ToList();
        (Socket, Socket) Open()
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(bind);
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(bind);
                tcp.Listen(64);
                return (udp, tcp);
            }
            catch
            {
                udp.Dispose();
                tcp.Dispose();
                throw;
            }
        }
        var (u, t) = netnsPath is null ? Open() : NetNamespace.Invoke(netnsPath, Open);
        var l = new Listener(containerId, u, t, ups);
        lock (_sync)
        {
            if (!_listeners.TryAdd(containerId, l)) { l.Dispose(); return; }
        }
        _ = ServeUdpAsync(l);
        _ = ServeTcpAsync(l);
    }

    public void Stop(string containerId)
    {
        Listener? l;
        lock (_sync) _listeners.Remove(containerId, out l);
        l?.Dispose();
    }

    public void Dispose()
    {
        List<Listener> all;
        lock (_sync)
        {
            all = [.. _listeners.Values];
            _listeners.Clear();
        }
        foreach (var l in all) l.Dispose();
    }

    private static IPEndPoint? ParseUpstream(string s)
    {
        if (IPEndPoint.TryParse(s, out var ep))
        {
            if (ep.Port == 0) ep.Port = 53;
            return ep;
        }
        return null;
    }

    private async Task ServeUdpAsync(Listener l)
    {
        var ct = l.Cts.Token;
        var buf = new byte[4096];
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await l.Udp.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct).ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException) { break; }
            var query = buf.AsSpan(0, r.ReceivedBytes).ToArray();
            var client = r.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                try
                {
                    var resp = await HandleAsync(l, query, tcp: false, ct).ConfigureAwait(false);
                    await l.Udp.SendToAsync(resp, SocketFlags.None, client, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException) { }
            }, CancellationToken.None);
        }
    }

    private async Task ServeTcpAsync(Listener l)
    {
        var ct = l.Cts.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket c;
            try { c = await l.Tcp.AcceptAsync(ct).ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException) { break; }
            _ = Task.Run(() => ServeTcpClientAsync(l, c, ct), CancellationToken.None);
        }
    }

    private async Task ServeTcpClientAsync(Listener l, Socket c, CancellationToken ct)
    {
        using var _ = c;
        using var stream = new NetworkStream(c, ownsSocket: false);
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                idle.CancelAfter(TimeSpan.FromSeconds(10));
                var query = await ReadFramedAsync(stream, idle.Token).ConfigureAwait(false);
                if (query is null) return;
                var resp = await HandleAsync(l, query, tcp: true, ct).ConfigureAwait(false);
                await WriteFramedAsync(stream, resp, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or SocketException) { }
    }

    /// <summary>The response to one query: a local answer, the upstream's answer, or SERVFAIL.</summary>
    private async Task<byte[]> HandleAsync(Listener l, byte[] query, bool tcp, CancellationToken ct)
    {
        var q = DnsMessage.ParseQuery(query);
        if (q is null) return DnsMessage.Error(query, DnsMessage.FormErr);
        if (q.Class == DnsMessage.ClassIn && q.Type is DnsMessage.TypeA or DnsMessage.TypeAaaa)
        {
            var local = _lookup(l.ContainerId, q.Name);
            // A known name answers with its addresses of the asked family; one without IPv6 answers AAAA with no
            // records (NOERROR), as Docker does, so resolvers do not go on to ask the upstream about a container name.
            if (local is not null)
            {
                var family = q.Type == DnsMessage.TypeA ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                return DnsMessage.Answer(query, q, DnsMessage.NoError, local.Where(a => a.AddressFamily == family).ToList());
            }
        }
        if (q.Class == DnsMessage.ClassIn && q.Type == DnsMessage.TypePtr && _reverse is not null &&
            DnsMessage.ParseReverseName(q.Name) is { } address && _reverse(l.ContainerId, address) is { } target)
            return DnsMessage.AnswerPtr(query, q, target);
        foreach (var up in l.Upstreams)
        {
            try
            {
                var resp = tcp ? await ForwardTcpAsync(up, query, ct).ConfigureAwait(false) : await ForwardUdpAsync(up, query, ct).ConfigureAwait(false);
                if (resp is not null) return resp;
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                _log($"dns: forwarding {q.Name} to {up}: {ex.Message}");
            }
        }
        return DnsMessage.Answer(query, q, DnsMessage.ServFail, Array.Empty<IPAddress>());
    }

    private static async Task<byte[]?> ForwardUdpAsync(IPEndPoint up, byte[] query, CancellationToken ct)
    {
        using var s = new Socket(up.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(UpstreamTimeout);
        await s.ConnectAsync(up, timeout.Token).ConfigureAwait(false);
        await s.SendAsync(query, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var buf = new byte[65535];
        while (true)
        {
            int n = await s.ReceiveAsync(buf, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            // Only the answer to this query (same id) counts.
            if (n >= 12 && buf[0] == query[0] && buf[1] == query[1]) return buf.AsSpan(0, n).ToArray();
        }
    }

    private static async Task<byte[]?> ForwardTcpAsync(IPEndPoint up, byte[] query, CancellationToken ct)
    {
        using var s = new Socket(up.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(UpstreamTimeout);
        await s.ConnectAsync(up, timeout.Token).ConfigureAwait(false);
        using var stream = new NetworkStream(s, ownsSocket: false);
        await WriteFramedAsync(stream, query, timeout.Token).ConfigureAwait(false);
        return await ReadFramedAsync(stream, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>One DNS-over-TCP message (two-byte big-endian length, then the message); null at a clean EOF.</summary>
    public static async Task<byte[]?> ReadFramedAsync(Stream s, CancellationToken ct)
    {
        var len = new byte[2];
        int got = 0;
        while (got < 2)
        {
            int n = await s.ReadAsync(len.AsMemory(got), ct).ConfigureAwait(false);
            if (n == 0) return got == 0 ? null : throw new IOException("connection closed inside a DNS message length");
            got += n;
        }
        var msg = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
        await s.ReadExactlyAsync(msg, ct).ConfigureAwait(false);
        return msg;
    }

    public static async Task WriteFramedAsync(Stream s, byte[] msg, CancellationToken ct)
    {
        var buf = new byte[msg.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(buf, (ushort)msg.Length);
        msg.CopyTo(buf, 2);
        await s.WriteAsync(buf, ct).ConfigureAwait(false);
    }
}
