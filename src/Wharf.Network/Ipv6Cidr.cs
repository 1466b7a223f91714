using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>An IPv6 prefix ("fd12:3456:789a::/64"); addresses are host-order UInt128 so arithmetic stays as simple as
/// <see cref="Ipv4Cidr"/>'s.</summary>
public readonly record struct Ipv6Cidr(UInt128 Address, int PrefixLength) : IIpCidr<Ipv6Cidr, UInt128>
{
    public UInt128 Mask => PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - PrefixLength);

    public UInt128 Network => Address & Mask;

    /// <summary>The highest address of the prefix (IPv6 has no broadcast; this only bounds a range).</summary>
    public UInt128 Last => Network | ~Mask;

    public Ipv6Cidr Canonical => new(Network, PrefixLength);

    public bool Contains(UInt128 ip) => (ip & Mask) == Network;

    public bool Overlaps(Ipv6Cidr other)
    {
        int p = Math.Min(PrefixLength, other.PrefixLength);
        UInt128 m = p == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - p);
        return (Address & m) == (other.Address & m);
    }

    /// <summary>"addr/n" in RFC 5952 form (the address as given, not masked).</summary>
    public override string ToString() => FormatIp(Address) + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

    public static Ipv6Cidr Parse(string text)
    {
        if (!TryParse(text, out var c)) throw WharfException.Invalid($"invalid CIDR address: {text}");
        return c;
    }

    public static bool TryParse(string? text, out Ipv6Cidr cidr)
    {
        cidr = default;
        if (string.IsNullOrEmpty(text)) return false;
        int slash = text.IndexOf('/');
        if (slash < 0) return false;
        if (!TryParseIp(text[..slash], out var ip)) return false;
        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var len) || len > 128) return false;
        cidr = new Ipv6Cidr(ip, len);
        return true;
    }

    /// <summary>An IPv6 address without zone; IPv4 dotted quads are refused (they are <see cref="Ipv4Cidr"/>'s).</summary>
    public static bool TryParseIp(string? text, out UInt128 ip)
    {
        ip = UInt128.Zero;
        if (string.IsNullOrEmpty(text) || !text.Contains(':') || text.Contains('%') || !IPAddress.TryParse(text, out var a) ||
            a.AddressFamily != AddressFamily.InterNetworkV6) return false;
        ip = FromAddress(a);
        return true;
    }

    public static UInt128 ParseIp(string text) =>
        TryParseIp(text, out var ip) ? ip : throw WharfException.Invalid($"invalid IP address: {text}");

    public static UInt128 FromAddress(IPAddress a)
    {
        Span<byte> b = stackalloc byte[16];
        a.TryWriteBytes(b, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(b);
    }

    public static IPAddress ToAddress(UInt128 ip)
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, ip);
        return new IPAddress(b);
    }

    public static string FormatIp(UInt128 ip) => ToAddress(ip).ToString();
}
