using Wharf.Core;

namespace Wharf.Network;

/// <summary>
/// IPAM of one IPv6 subnet: hands out addresses of the subnet (or of its narrower ip-range), lowest free first, never
/// the subnet-router anycast address (the prefix itself) or the gateway, as Docker does. Unlike <see cref="IpPool"/>
/// there is no broadcast address and a /64 cannot be scanned, so only the taken addresses are kept. Thread-safe.
/// </summary>
public sealed class Ip6Pool
{
    private readonly object _sync = new();
    private readonly HashSet<UInt128> _used = [];

    public Ip6Pool(Ipv6Cidr subnet, UInt128 gateway, Ipv6Cidr? range = null)
    {
        Subnet = subnet.Canonical;
        Gateway = gateway;
        Range = (range ?? subnet).Canonical;
        if (!Subnet.Contains(Range.Network) || Range.PrefixLength < Subnet.PrefixLength)
            throw WharfException.Invalid($"ip-range {Range} is not contained in subnet {Subnet}");
    }

    public Ipv6Cidr Subnet { get; }

    public UInt128 Gateway { get; }

    public Ipv6Cidr Range { get; }

    private bool Reserved(UInt128 ip) => ip == Gateway || ip == Subnet.Network;

    /// <summary>The lowest free address of the range (a walk over at most the taken addresses plus two).</summary>
    public UInt128 Allocate()
    {
        lock (_sync)
        {
            for (UInt128 ip = Range.Network; ; ip++)
            {
                if (!Reserved(ip) && _used.Add(ip)) return ip;
                if (ip == Range.Last) break;
            }
        }
        throw WharfException.Internal($"no available IPv6 addresses on this network's address pools: {Subnet}");
    }

    /// <summary>Claims a given address (--ip6): it must be in the subnet and free.</summary>
    public void Claim(UInt128 ip)
    {
        if (!Subnet.Contains(ip) || Reserved(ip))
            throw WharfException.Invalid($"invalid address {Ipv6Cidr.FormatIp(ip)}: it does not belong to any of this network's subnets");
        lock (_sync)
        {
            if (!_used.Add(ip)) throw WharfException.Conflict("Address already in use");
        }
    }

    /// <summary>Marks an address as taken without checks (re-adopting endpoints after a restart).</summary>
    public void MarkUsed(UInt128 ip)
    {
        lock (_sync) _used.Add(ip);
    }

    public void Release(UInt128 ip)
    {
        lock (_sync) _used.Remove(ip);
    }

    public int InUse
    {
        get { lock (_sync) return _used.Count; }
    }
}
