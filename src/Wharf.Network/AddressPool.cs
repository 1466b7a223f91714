using System.Numerics;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>
/// IPAM of one subnet, for either address family: hands out addresses of the subnet (or of its narrower ip-range),
/// lowest free first as Docker does, never a reserved one (the family decides which). Only the taken addresses are
/// kept, so a /64 costs no more than a /24. Thread-safe.
/// </summary>
/// <typeparam name="T">The address as a number: <see cref="uint"/> for IPv4, <see cref="UInt128"/> for IPv6.</typeparam>
public abstract class AddressPool<T> where T : struct, IBinaryInteger<T>
{
    private readonly Lock _sync = new();
    private readonly HashSet<T> _used = [];

    protected AddressPool(T gateway) => Gateway = gateway;

    public T Gateway { get; }

    /// <summary>First and last address of the range addresses are handed out from.</summary>
    protected abstract (T First, T Last) RangeBounds { get; }

    protected abstract bool InSubnet(T ip);

    protected abstract bool Reserved(T ip);

    protected abstract string Format(T ip);

    /// <summary>"IPv4" or "IPv6", for messages.</summary>
    protected abstract string Family { get; }

    /// <summary>The lowest free address of the range (a walk over at most the taken addresses plus the reserved ones).</summary>
    public T Allocate()
    {
        var (first, last) = RangeBounds;
        lock (_sync)
        {
            for (T ip = first; ; ip++)
            {
                if (!Reserved(ip) && _used.Add(ip)) return ip;
                if (ip == last) break;
            }
        }
        throw WharfException.Internal($"no available {Family} addresses on this network's address pools: {SubnetText}");
    }

    /// <summary>Claims a given address (--ip, --ip6): it must be in the subnet and free.</summary>
    public void Claim(T ip)
    {
        if (!InSubnet(ip) || Reserved(ip))
            throw WharfException.Invalid($"invalid address {Format(ip)}: it does not belong to any of this network's subnets");
        lock (_sync)
        {
            if (!_used.Add(ip)) throw WharfException.Conflict("Address already in use");
        }
    }

    /// <summary>Marks an address as taken without checks (re-adopting endpoints after a restart).</summary>
    public void MarkUsed(T ip)
    {
        lock (_sync) _used.Add(ip);
    }

    public void Release(T ip)
    {
        lock (_sync) _used.Remove(ip);
    }

    public int InUse
    {
        get { lock (_sync) return _used.Count; }
    }

    protected abstract string SubnetText { get; }
}

/// <summary>IPAM of one IPv4 network: never the network address, the broadcast address (below /31) or the gateway.</summary>
public sealed class IpPool : AddressPool<uint>
{
    public IpPool(Ipv4Cidr subnet, uint gateway, Ipv4Cidr? range = null) : base(gateway)
    {
        Subnet = subnet.Canonical;
        Range = (range ?? subnet).Canonical;
        if (!Subnet.Contains(Range.Network) || Range.PrefixLength < Subnet.PrefixLength)
            throw WharfException.Invalid($"ip-range {Range} is not contained in subnet {Subnet}");
    }

    public Ipv4Cidr Subnet { get; }

    public Ipv4Cidr Range { get; }

    protected override (uint First, uint Last) RangeBounds => (Range.Network, Range.Broadcast);

    protected override bool InSubnet(uint ip) => Subnet.Contains(ip);

    protected override bool Reserved(uint ip) =>
        ip == Gateway || (Subnet.PrefixLength < 31 && (ip == Subnet.Network || ip == Subnet.Broadcast));

    protected override string Format(uint ip) => Ipv4Cidr.FormatIp(ip);

    protected override string Family => "IPv4";

    protected override string SubnetText => Subnet.ToString();
}

/// <summary>IPAM of one IPv6 subnet: never the subnet-router anycast address (the prefix itself) or the gateway, as
/// Docker does; there is no broadcast address.</summary>
public sealed class Ip6Pool : AddressPool<UInt128>
{
    public Ip6Pool(Ipv6Cidr subnet, UInt128 gateway, Ipv6Cidr? range = null) : base(gateway)
    {
        Subnet = subnet.Canonical;
        Range = (range ?? subnet).Canonical;
        if (!Subnet.Contains(Range.Network) || Range.PrefixLength < Subnet.PrefixLength)
            throw WharfException.Invalid($"ip-range {Range} is not contained in subnet {Subnet}");
    }

    public Ipv6Cidr Subnet { get; }

    public Ipv6Cidr Range { get; }

    protected override (UInt128 First, UInt128 Last) RangeBounds => (Range.Network, Range.Last);

    protected override bool InSubnet(UInt128 ip) => Subnet.Contains(ip);

    protected override bool Reserved(UInt128 ip) => ip == Gateway || ip == Subnet.Network;

    protected override string Format(UInt128 ip) => Ipv6Cidr.FormatIp(ip);

    protected override string Family => "IPv6";

    protected override string SubnetText => Subnet.ToString();
}
