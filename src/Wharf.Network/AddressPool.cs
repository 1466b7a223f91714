using System.Numerics;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>
/// IPAM of one subnet, for either address family: hands out addresses of the subnet (or of its narrower ip-range),
/// lowest free first as Docker does, never a reserved one (the family decides which). Only the taken addresses are
/// kept, so a /64 costs no more than a /24. Thread-safe.
/// </summary>
public abstract class AddressPool<TCidr, T>
    where TCidr : struct, IIpCidr<TCidr, T>
    where T : struct, IBinaryInteger<T>
{
    private readonly Lock _sync = new();
    private readonly HashSet<T> _used = [];

    protected AddressPool(TCidr subnet, T gateway, TCidr? range)
    {
        Subnet = subnet.Canonical;
        Gateway = gateway;
        Range = (range ?? subnet).Canonical;
        if (!IpCidr.Covers<TCidr, T>(Subnet, Range))
            throw WharfException.Invalid($"ip-range {Range} is not contained in subnet {Subnet}");
    }

    public TCidr Subnet { get; }

    public T Gateway { get; }

    public TCidr Range { get; }

    protected abstract bool Reserved(T ip);

    /// <summary>"IPv4" or "IPv6", for messages.</summary>
    protected abstract string Family { get; }

    /// <summary>The lowest free address of the range (a walk over at most the taken addresses plus the reserved ones).</summary>
    public T Allocate()
    {
        lock (_sync)
        {
            for (T ip = Range.Network; ; ip++)
            {
                if (!Reserved(ip) && _used.Add(ip)) return ip;
                if (ip == Range.Last) break;
            }
        }
        throw WharfException.Internal($"no available {Family} addresses on this network's address pools: {Subnet}");
    }

    /// <summary>Claims a given address (--ip, --ip6): it must be in the subnet and free.</summary>
    public void Claim(T ip)
    {
        if (!Subnet.Contains(ip) || Reserved(ip))
            throw WharfException.Invalid($"invalid address {TCidr.FormatIp(ip)}: it does not belong to any of this network's subnets");
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
}

/// <summary>IPAM of one IPv4 network: never the network address, the broadcast address (below /31) or the gateway.</summary>
public sealed class IpPool(Ipv4Cidr subnet, uint gateway, Ipv4Cidr? range = null) : AddressPool<Ipv4Cidr, uint>(subnet, gateway, range)
{
    protected override bool Reserved(uint ip) =>
        ip == Gateway || (Subnet.PrefixLength < 31 && (ip == Subnet.Network || ip == Subnet.Broadcast));

    protected override string Family => "IPv4";
}

/// <summary>IPAM of one IPv6 subnet: never the subnet-router anycast address (the prefix itself) or the gateway, as
/// Docker does; there is no broadcast address.</summary>
public sealed class Ip6Pool(Ipv6Cidr subnet, UInt128 gateway, Ipv6Cidr? range = null) : AddressPool<Ipv6Cidr, UInt128>(subnet, gateway, range)
{
    protected override bool Reserved(UInt128 ip) => ip == Gateway || ip == Subnet.Network;

    protected override string Family => "IPv6";
}
