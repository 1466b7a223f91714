using System.Globalization;
using System.Net;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>An IPv4 prefix ("172.20.0.0/16"); addresses are host-order uints so arithmetic stays simple.</summary>
public readonly record struct Ipv4Cidr(uint Address, int PrefixLength) : IIpCidr<Ipv4Cidr, uint>
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Network => Address & Mask;

    public uint Broadcast => Network | ~Mask;

    public uint Last => Broadcast;

    public Ipv4Cidr Canonical => new(Network, PrefixLength);

    public bool Contains(uint ip) => (ip & Mask) == Network;

    public bool Overlaps(Ipv4Cidr other)
    {
        int p = Math.Min(PrefixLength, other.PrefixLength);
        uint m = p == 0 ? 0 : uint.MaxValue << (32 - p);
        return (Address & m) == (other.Address & m);
    }

    /// <summary>"a.b.c.d/n" (the address as given, not masked: "172.20.0.1/16" is a gateway with its prefix).</summary>
    public override string ToString() => FormatIp(Address) + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

    public static Ipv4Cidr Parse(string text)
    {
        if (!TryParse(text, out var c)) throw WharfException.Invalid($"invalid CIDR address: {text}");
        return c;
    }

    public static bool TryParse(string? text, out Ipv4Cidr cidr)
    {
        cidr = default;
        if (string.IsNullOrEmpty(text)) return false;
        int slash = text.IndexOf('/');
        if (slash < 0) return false;
        if (!TryParseIp(text[..slash], out var ip)) return false;
        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var len) || len > 32) return false;
        cidr = new Ipv4Cidr(ip, len);
        return true;
    }

    public static bool TryParseIp(string? text, out uint ip)
    {
        ip = 0;
        if (string.IsNullOrEmpty(text) || !IPAddress.TryParse(text, out var a) ||
            a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(ch => ch == '.') != 3) return false;
        var b = a.GetAddressBytes();
        ip = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        return true;
    }

    public static uint ParseIp(string text) =>
        TryParseIp(text, out var ip) ? ip : throw WharfException.Invalid($"invalid IP address: {text}");

    public static IPAddress ToAddress(uint ip) =>
        new([(byte)(ip >> 24), (byte)(ip >> 16), (byte)(ip >> 8), (byte)ip]);

    public static string FormatIp(uint ip) => string.Create(CultureInfo.InvariantCulture, $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}");
}
