using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Wharf.Core;

namespace Wharf.Interop;

public static partial class Native
{
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int NETLINK_ROUTE = 0;

    [LibraryImport(Libc, SetLastError = true)]
    public static unsafe partial nint recv(int fd, byte* buf, nint len, int flags);
}

/// <summary>
/// A NETLINK_ROUTE socket for the few rtnetlink requests the bridge driver makes on every container start: create a
/// veth pair with its peer already in the container's namespace, enslave and raise links, add an address and the
/// default route. One request and one acknowledgement each, in-process, instead of spawning <c>ip</c> and
/// <c>nsenter</c>. The socket acts on the network namespace it was created in (<see cref="NetNamespace"/>).
/// </summary>
public sealed class Netlink : IDisposable
{
    private const ushort NLM_F_REQUEST = 0x1, NLM_F_ACK = 0x4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_REPLACE = 0x100;
    private const ushort NLMSG_ERROR = 2, RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_NEWROUTE = 24;
    private const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18, IFLA_NET_NS_PID = 19;
    private const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    private const ushort IFLA_GSO_IPV4_MAX_SIZE = 63;
    private const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, RTA_OIF = 4, RTA_GATEWAY = 5;
    private const uint IFF_UP = 1;
    private const byte AF_INET6 = 10, IFA_F_NODAD = 0x02;
    private const int EEXIST = 17;

    private readonly int _fd;
    private uint _seq;

    private Netlink(int fd) => _fd = fd;

    /// <summary>A socket in the calling thread's namespace (the daemon's own, for any thread-pool thread).</summary>
    public static Netlink Open()
    {
        int fd = Native.socket(Native.AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC, Native.NETLINK_ROUTE);
        if (fd < 0) throw Errno("socket(AF_NETLINK)", Marshal.GetLastPInvokeError());
        return new Netlink(fd);
    }

    public void Dispose() => Native.close(_fd);

    /// <summary>A veth pair: <paramref name="hostName"/> here, <paramref name="peerName"/> created directly in the
    /// network namespace of <paramref name="peerPid"/> with the given MAC (no temporary name, no move). A non-zero
    /// <paramref name="gsoIpv4MaxSize"/> sets both ends' largest IPv4 GSO packet (BIG TCP, see LinkManager).</summary>
    public void CreateVeth(string hostName, string peerName, int peerPid, int mtu, byte[] peerMac, uint gsoIpv4MaxSize = 0)
    {
        var m = new Msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        m.IfInfo(0, 0, 0);
        m.AttrString(IFLA_IFNAME, hostName);
        m.AttrU32(IFLA_MTU, (uint)mtu);
        if (gsoIpv4MaxSize > 0) m.AttrU32(IFLA_GSO_IPV4_MAX_SIZE, gsoIpv4MaxSize);
        int linkinfo = m.Begin(IFLA_LINKINFO);
        m.AttrString(IFLA_INFO_KIND, "veth");
        int data = m.Begin(IFLA_INFO_DATA);
        int peer = m.Begin(VETH_INFO_PEER);
        m.IfInfo(0, 0, 0);
        m.AttrString(IFLA_IFNAME, peerName);
        m.AttrU32(IFLA_MTU, (uint)mtu);
        m.Attr(IFLA_ADDRESS, peerMac);
        if (gsoIpv4MaxSize > 0) m.AttrU32(IFLA_GSO_IPV4_MAX_SIZE, gsoIpv4MaxSize);
        m.AttrU32(IFLA_NET_NS_PID, (uint)peerPid);
        m.End(peer);
        m.End(data);
        m.End(linkinfo);
        Request(m, "create veth " + hostName);
    }

    /// <summary>Brings a link up and, with <paramref name="masterIndex"/> &gt; 0, puts it on that bridge.</summary>
    public void SetUp(int index, int masterIndex = 0)
    {
        var m = new Msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        m.IfInfo(index, IFF_UP, IFF_UP);
        if (masterIndex > 0) m.AttrU32(IFLA_MASTER, (uint)masterIndex);
        Request(m, "set link up");
    }

    public void DeleteLink(int index)
    {
        var m = new Msg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        m.IfInfo(index, 0, 0);
        Request(m, "delete link");
    }

    /// <summary>An IPv4 address with its prefix on a link (what <c>ip addr add a.b.c.d/n dev X</c> does).</summary>
    public void AddAddress(int index, uint address, int prefixLength)
    {
        var m = new Msg(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        m.Bytes([2, (byte)prefixLength, 0, 0]);            // ifaddrmsg: AF_INET, prefix, flags, scope universe
        m.U32((uint)index);
        m.AttrIp(IFA_LOCAL, address);
        m.AttrIp(IFA_ADDRESS, address);
        Request(m, "add address");
    }

    /// <summary>An IPv6 address with its prefix on a link, flagged IFA_F_NODAD (what <c>ip -6 addr add X/n dev L
    /// nodad</c> does): usable at once instead of tentative for the second of duplicate address detection.</summary>
    public void AddAddress6(int index, UInt128 address, int prefixLength)
    {
        var m = new Msg(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        m.Bytes([AF_INET6, (byte)prefixLength, IFA_F_NODAD, 0]);   // ifaddrmsg: family, prefix, flags, scope universe
        m.U32((uint)index);
        m.AttrIp6(IFA_LOCAL, address);
        m.AttrIp6(IFA_ADDRESS, address);
        Request(m, "add IPv6 address");
    }

    /// <summary>The IPv6 default route via <paramref name="gateway"/> out of a link (create or replace).</summary>
    public void ReplaceDefaultRoute6(int index, UInt128 gateway)
    {
        var m = new Msg(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
        m.Bytes([AF_INET6, 0, 0, 0, 254, 3, 0, 1]);               // as the IPv4 one, family AF_INET6
        m.U32(0);
        m.AttrIp6(RTA_GATEWAY, gateway);
        m.AttrU32(RTA_OIF, (uint)index);
        Request(m, "add IPv6 default route");
    }

    /// <summary>The default route via <paramref name="gateway"/> out of a link (create or replace).</summary>
    public void ReplaceDefaultRoute(int index, uint gateway)
    {
        var m = new Msg(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
        // rtmsg: AF_INET, dst_len 0, src_len 0, tos 0, table main, protocol boot, scope universe, type unicast; flags 0
        m.Bytes([2, 0, 0, 0, 254, 3, 0, 1]);
        m.U32(0);
        m.AttrIp(RTA_GATEWAY, gateway);
        m.AttrU32(RTA_OIF, (uint)index);
        Request(m, "add default route");
    }

    /// <summary>The index of a link by name in this socket's namespace; 0 when there is none.</summary>
    public int LinkIndex(string name)
    {
        var m = new Msg(RTM_GETLINK, NLM_F_REQUEST);
        m.IfInfo(0, 0, 0);
        m.AttrString(IFLA_IFNAME, name);
        var reply = Exchange(m);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(4));
        if (type == NLMSG_ERROR)
        {
            int err = -BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(16));
            if (err == 19 /* ENODEV */) return 0;
            throw Errno("get link " + name, err);
        }
        return BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(16 + 4));
    }

    /// <summary>A link's largest IPv4 GSO packet (IFLA_GSO_IPV4_MAX_SIZE); null when the link does not exist or the
    /// kernel does not report it (before 6.3).</summary>
    public uint? GsoIpv4MaxSize(string name)
    {
        var m = new Msg(RTM_GETLINK, NLM_F_REQUEST);
        m.IfInfo(0, 0, 0);
        m.AttrString(IFLA_IFNAME, name);
        var reply = Exchange(m);
        if (BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(4)) == NLMSG_ERROR) return null;
        // nlmsghdr (16) and ifinfomsg (16), then the attributes: len (2), type (2), payload, padded to 4.
        for (int off = 32; off + 4 <= reply.Length;)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(off));
            int type = BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(off + 2)) & 0x3fff;
            if (len < 4 || off + len > reply.Length) break;
            if (type == IFLA_GSO_IPV4_MAX_SIZE && len >= 8) return BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(off + 4));
            off += (len + 3) & ~3;
        }
        return null;
    }

    private void Request(Msg m, string what)
    {
        var reply = Exchange(m);
        if (BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(4)) != NLMSG_ERROR) throw WharfException.Internal($"netlink {what}: unexpected reply");
        int err = -BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(16));
        if (err != 0) throw Errno("netlink " + what, err);
    }

    /// <summary>Sends one request and returns the first reply message with its sequence number.</summary>
    private unsafe byte[] Exchange(Msg m)
    {
        uint seq = ++_seq;
        var buf = m.Finish(seq);
        fixed (byte* p = buf)
        {
            if (Native.send(_fd, p, buf.Length, 0) < 0) throw Errno("netlink send", Marshal.GetLastPInvokeError());
        }
        var rx = new byte[16384];
        while (true)
        {
            nint n;
            fixed (byte* p = rx) n = Native.recv(_fd, p, rx.Length, 0);
            if (n < 0)
            {
                int err = Marshal.GetLastPInvokeError();
                if (err == 4 /* EINTR */) continue;
                throw Errno("netlink recv", err);
            }
            int off = 0;
            while (off + 16 <= n)
            {
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(rx.AsSpan(off));
                if (len < 16 || off + len > n) break;
                if (BinaryPrimitives.ReadUInt32LittleEndian(rx.AsSpan(off + 8)) == seq) return rx.AsSpan(off, len).ToArray();
                off += (len + 3) & ~3;
            }
        }
    }

    private static WharfException Errno(string what, int err) =>
        err == EEXIST ? WharfException.Conflict($"{what}: {Marshal.GetPInvokeErrorMessage(err)}")
            : WharfException.Internal($"{what}: {Marshal.GetPInvokeErrorMessage(err)}");

    /// <summary>A netlink message under construction: header reserved, body appended, nested attributes patched.</summary>
    private sealed class Msg
    {
        private readonly List<byte> _b = new(256);
        private readonly ushort _type;
        private readonly ushort _flags;

        public Msg(ushort type, ushort flags)
        {
            _type = type;
            _flags = flags;
            for (int i = 0; i < 16; i++) _b.Add(0);
        }

        public void Bytes(ReadOnlySpan<byte> data)
        {
            foreach (var x in data) _b.Add(x);
        }

        public void U32(uint v)
        {
            Span<byte> t = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(t, v);
            Bytes(t);
        }

        private void Pad()
        {
            while ((_b.Count & 3) != 0) _b.Add(0);
        }

        /// <summary>ifinfomsg: family unspec, type 0, index, flags, change mask.</summary>
        public void IfInfo(int index, uint flags, uint change)
        {
            Bytes([0, 0, 0, 0]);
            U32((uint)index);
            U32(flags);
            U32(change);
        }

        public void Attr(ushort type, ReadOnlySpan<byte> data)
        {
            Span<byte> h = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)(4 + data.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(h[2..], type);
            Bytes(h);
            Bytes(data);
            Pad();
        }

        public void AttrString(ushort type, string s)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
            Encoding.UTF8.GetBytes(s, bytes);
            Attr(type, bytes);
        }

        public void AttrU32(ushort type, uint v)
        {
            Span<byte> t = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(t, v);
            Attr(type, t);
        }

        /// <summary>An IPv4 address (host-order uint) in network byte order.</summary>
        public void AttrIp(ushort type, uint ip)
        {
            Span<byte> t = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(t, ip);
            Attr(type, t);
        }

        /// <summary>An IPv6 address (host-order UInt128) in network byte order.</summary>
        public void AttrIp6(ushort type, UInt128 ip)
        {
            Span<byte> t = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(t, ip);
            Attr(type, t);
        }

        public int Begin(ushort type)
        {
            int at = _b.Count;
            Bytes([0, 0, 0, 0]);
            _b[at + 2] = (byte)type;
            _b[at + 3] = (byte)(type >> 8);
            return at;
        }

        public void End(int at)
        {
            int len = _b.Count - at;
            _b[at] = (byte)len;
            _b[at + 1] = (byte)(len >> 8);
        }

        public byte[] Finish(uint seq)
        {
            var a = _b.ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(a, (uint)a.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(a.AsSpan(4), _type);
            BinaryPrimitives.WriteUInt16LittleEndian(a.AsSpan(6), _flags);
            BinaryPrimitives.WriteUInt32LittleEndian(a.AsSpan(8), seq);
            return a;
        }
    }
}
