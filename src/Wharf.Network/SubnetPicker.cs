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
