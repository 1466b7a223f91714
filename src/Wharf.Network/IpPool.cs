using Wharf.Core;

namespace Wharf.Network;

/// <summary>
/// IPAM of one IPv4 network: hands out addresses of the subnet (or of its narrower ip-range), never the network
/// address, the broadcast address or the gateway, lowest free first as Docker does. Thread-safe.
/// </summary>
public sealed class IpPool
{
    private readonly object _sync = new();
    private readonly HashSet<uint> _used = [];

    public IpPool(Ipv4Cidr subnet, uint gateway, Ipv4Cidr? range = null)
    {
        Subnet = subnet.Canonical;
        Gateway = gateway;
        Range = (range ?? subnet).Canonical;
        if (!Subnet.Contains(Range.Network) || Range.PrefixLength < Subnet.PrefixLength)
            throw WharfException.Invalid($"ip-range {Range} is not contained in subnet {Subnet}");
    }

    public Ipv4Cidr Subnet { get; }

    public uint Gateway { get; }

    public Ipv4Cidr Range { get; }

    private bool Reserved(uint ip) =>
        ip == Gateway || (Subnet.PrefixLength < 31 && (ip == Subnet.Network || ip == Subnet.Broadcast));

    /// <summary>The lowest free address of the range.</summary>
    public uint Allocate()
    {
        lock (_sync)
        {
            for (uint ip = Range.Network; ; ip++)
            {
                if (!Reserved(ip) && _used.Add(ip)) return ip;
                if (ip == Range.Broadcast) break;
            }
        }
        throw WharfException.Internal($"no available IPv4 addresses on this network's address pools: {Subnet}");
    }

    /// <summary>Claims a given address (--ip): it must be in the subnet and free.</summary>
    public void Claim(uint ip)
    {
        if (!Subnet.Contains(ip) || Reserved(ip))
            throw WharfException.Invalid($"invalid address {Ipv4Cidr.FormatIp(ip)}: it does not belong to any of this network's subnets");
        lock (_sync)
        {
            if (!_used.Add(ip)) throw WharfException.Conflict($"Address already in use");
        }
    }

    /// <summary>Marks an address as taken without checks (re-adopting endpoints after a restart).</summary>
    public void MarkUsed(uint ip)
    {
        lock (_sync) _used.Add(ip);
    }

    public void Release(uint ip)
    {
        lock (_sync) _used.Remove(ip);
    }

    public int InUse
    {
        get { lock (_sync) return _used.Count; }
    }
}
