using System.Globalization;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>
/// Picks the subnet of a network created without --subnet: the first of Docker's local pools (172.18–172.30/16,
/// then 192.168.0.0/16 cut into /20s) that overlaps neither another network nor a route of the host, so two
/// daemons on one machine (parallel tests) do not hand out the same subnet.
/// </summary>
public static class SubnetPicker
{
    public static IEnumerable<Ipv4Cidr> Candidates()
    {
        for (uint b = 18; b <= 30; b++) yield return new Ipv4Cidr((172u << 24) | (b << 16), 16);
        for (uint c = 0; c < 256; c += 16) yield return new Ipv4Cidr((192u << 24) | (168u << 16) | (c << 8), 20);
    }

    public static Ipv4Cidr Pick(IEnumerable<Ipv4Cidr> taken)
    {
        var busy = taken.Concat(HostRoutes()).ToList();
        foreach (var c in Candidates())
            if (!busy.Any(t => t.PrefixLength > 0 && t.Overlaps(c))) return c;
        throw WharfException.Internal("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }

    /// <summary>
    /// The IPv6 subnet of an --ipv6 network created without an IPv6 --subnet: a unique local /64 (RFC 4193,
    /// fdXX:XXXX:XXXX::/64) whose 40-bit global ID is taken from a hash of the network id, so it is stable for the
    /// network and differs between networks and daemons; a candidate overlapping another network or a host route
    /// (this host may well route an fd00::/64 of its own) is skipped for the next hash.
    /// </summary>
    public static Ipv6Cidr PickIpv6(string networkId, IEnumerable<Ipv6Cidr> taken)
    {
        var busy = taken.Concat(HostRoutes6()).Where(t => t.PrefixLength > 0).ToList();
        for (int attempt = 0; attempt < 256; attempt++)
        {
            var c = UlaFor(networkId, attempt);
            if (!busy.Any(t => t.Overlaps(c))) return c;
        }
        throw WharfException.Internal("could not find an available, non-overlapping IPv6 address pool to assign to the network");
    }

    /// <summary>fd, then 40 bits of SHA-256(network id, attempt), then subnet id 0: a /64.</summary>
    public static Ipv6Cidr UlaFor(string networkId, int attempt)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(networkId + "/" + attempt.ToString(CultureInfo.InvariantCulture)));
        UInt128 prefix = 0xfd;
        for (int i = 0; i < 5; i++) prefix = (prefix << 8) | hash[i];
        return new Ipv6Cidr(prefix << 80, 64);
    }

    /// <summary>The IPv6 routes of the host (/proc/net/ipv6_route: 32 hex digits of destination, hex prefix length).</summary>
    public static IReadOnlyList<Ipv6Cidr> HostRoutes6()
    {
        var list = new List<Ipv6Cidr>();
        string text;
        try { text = File.ReadAllText("/proc/net/ipv6_route"); }
        catch (IOException) { return list; }
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || f[0].Length != 32) continue;
            if (!UInt128.TryParse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var dst) ||
                !int.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var len)) continue;
            list.Add(new Ipv6Cidr(dst, len));
        }
        return list;
    }

    /// <summary>The IPv4 routes of the host (/proc/net/route: little-endian hex destination and mask).</summary>
    public static IReadOnlyList<Ipv4Cidr> HostRoutes()
    {
        var list = new List<Ipv4Cidr>();
        string text;
        try { text = File.ReadAllText("/proc/net/route"); }
        catch (IOException) { return list; }
        foreach (var line in text.Split('\n').Skip(1))
        {
            var f = line.Split('\t', StringSplitOptions.TrimEntries);
            if (f.Length < 8) continue;
            if (!uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var dst) ||
                !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)) continue;
            uint d = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(dst);
            uint m = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(mask);
            list.Add(new Ipv4Cidr(d, System.Numerics.BitOperations.PopCount(m)));
        }
        return list;
    }
}
