using System.Numerics;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>What IPAM needs of a prefix of either family (<see cref="Ipv4Cidr"/>, <see cref="Ipv6Cidr"/>), so one piece
/// of code serves both: addresses are host-order integers (<see cref="uint"/>, <see cref="UInt128"/>).</summary>
public interface IIpCidr<TSelf, T>
    where TSelf : struct, IIpCidr<TSelf, T>
    where T : struct, IBinaryInteger<T>
{
    T Network { get; }

    /// <summary>The highest address of the prefix.</summary>
    T Last { get; }

    int PrefixLength { get; }

    TSelf Canonical { get; }

    bool Contains(T ip);

    static abstract TSelf Parse(string text);

    static abstract T ParseIp(string text);

    static abstract string FormatIp(T ip);
}

/// <summary>The rules Docker's IPAM applies to a subnet, its gateway and its ip-range, for either family.</summary>
public static class IpCidr
{
    /// <summary>Whether <paramref name="range"/> lies inside <paramref name="subnet"/>.</summary>
    public static bool Covers<TCidr, T>(TCidr subnet, TCidr range)
        where TCidr : struct, IIpCidr<TCidr, T> where T : struct, IBinaryInteger<T> =>
        subnet.Contains(range.Network) && range.PrefixLength >= subnet.PrefixLength;

    /// <summary>The gateway (given, or the first address of the subnet) and the canonical ip-range (if given) of a
    /// network's IPAM config, refused with Docker's words when they fall outside the subnet.</summary>
    public static (T Gateway, TCidr? Range) GatewayAndRange<TCidr, T>(TCidr subnet, string? gateway, string? ipRange)
        where TCidr : struct, IIpCidr<TCidr, T> where T : struct, IBinaryInteger<T>
    {
        T gw = subnet.Network + T.One;
        if (gateway is { Length: > 0 })
        {
            gw = TCidr.ParseIp(gateway);
            if (!subnet.Contains(gw)) throw WharfException.Invalid($"no matching subnet for gateway {gateway}");
        }
        TCidr? range = null;
        if (ipRange is { Length: > 0 })
        {
            var r = TCidr.Parse(ipRange).Canonical;
            if (!Covers<TCidr, T>(subnet, r)) throw WharfException.Invalid($"no matching subnet for range {ipRange}");
            range = r;
        }
        return (gw, range);
    }
}
