using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wharf.Network.Dns;

/// <summary>The one question of a DNS query, as the embedded resolver needs it.</summary>
/// <param name="Name">The queried name, lower case, without the trailing dot.</param>
/// <param name="End">Offset just past the question section in the query bytes (the answer is appended there).</param>
public sealed record DnsQuestion(ushort Id, string Name, ushort Type, ushort Class, bool RecursionDesired, int End);

/// <summary>
/// The small part of RFC 1035 the embedded resolver speaks: read the question of a query, and write an answer made of
/// A and AAAA records (or none) with a response code. Everything it does not answer itself is forwarded byte for byte.
/// </summary>
public static class DnsMessage
{
    public const ushort TypeA = 1;
    public const ushort TypePtr = 12;
    public const ushort TypeAaaa = 28;
    public const ushort ClassIn = 1;

    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int Refused = 5;

    /// <summary>Time to live of local answers (Docker's embedded DNS uses 600 s).</summary>
    public const uint LocalTtl = 600;

    /// <summary>The question of a standard query with exactly one question; null when the bytes are not one.</summary>
    public static DnsQuestion? ParseQuery(ReadOnlySpan<byte> msg)
    {
        if (msg.Length < 12) return null;
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]);
        if ((flags & 0x8000) != 0) return null;              // a response, not a query
        if (((flags >> 11) & 0xF) != 0) return null;         // opcode other than QUERY
        if (BinaryPrimitives.ReadUInt16BigEndian(msg[4..]) != 1) return null;
        int pos = 12;
        var name = ReadName(msg, ref pos);
        if (name is null || pos + 4 > msg.Length) return null;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
        ushort cls = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 2)..]);
        return new DnsQuestion(id, name, type, cls, (flags & 0x0100) != 0, pos + 4);
    }

    /// <summary>Reads a (possibly compressed) domain name; null when malformed (loops, overruns, labels over 63).</summary>
    public static string? ReadName(ReadOnlySpan<byte> msg, ref int pos)
    {
        var sb = new StringBuilder();
        int p = pos;
        int jumps = 0;
        bool jumped = false;
        while (true)
        {
            if (p >= msg.Length) return null;
            byte len = msg[p];
            if ((len & 0xC0) == 0xC0)
            {
                if (p + 1 >= msg.Length || ++jumps > 16) return null;
                int target = ((len & 0x3F) << 8) | msg[p + 1];
                if (!jumped) pos = p + 2;
                jumped = true;
                p = target;
                continue;
            }
            if ((len & 0xC0) != 0) return null;
            p++;
            if (len == 0) break;
            if (p + len > msg.Length) return null;
            if (sb.Length > 0) sb.Append('.');
            foreach (var b in msg.Slice(p, len)) sb.Append((char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b));
            p += len;
            if (sb.Length > 253) return null;
        }
        if (!jumped) pos = p;
        return sb.ToString();
    }

    /// <summary>A response made of A records (see the <see cref="IPAddress"/> overload).</summary>
    public static byte[] Answer(ReadOnlySpan<byte> query, DnsQuestion q, int rcode, IReadOnlyList<uint> addresses) =>
        Answer(query, q, rcode, addresses.Select(Ipv4Cidr.ToAddress).ToList());

    /// <summary>A response to <paramref name="query"/>: its header and question, then one A record per IPv4 address
    /// and one AAAA record per IPv6 address (the name as a pointer to the question), with the given response code.
    /// Authoritative: these names are ours.</summary>
    public static byte[] Answer(ReadOnlySpan<byte> query, DnsQuestion q, int rcode, IReadOnlyList<IPAddress> addresses)
    {
        int size = q.End;
        foreach (var a in addresses) size += 12 + (a.AddressFamily == AddressFamily.InterNetwork ? 4 : 16);
        var buf = new byte[size];
        query[..q.End].CopyTo(buf);
        ushort flags = (ushort)(0x8000 | 0x0400 | (q.RecursionDesired ? 0x0100 : 0) | 0x0080 | (rcode & 0xF));
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(6), (ushort)addresses.Count);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(10), 0);
        int pos = q.End;
        foreach (var ip in addresses)
        {
            bool v4 = ip.AddressFamily == AddressFamily.InterNetwork;
            var s = buf.AsSpan(pos);
            BinaryPrimitives.WriteUInt16BigEndian(s, 0xC00C);           // the name of the question
            BinaryPrimitives.WriteUInt16BigEndian(s[2..], v4 ? TypeA : TypeAaaa);
            BinaryPrimitives.WriteUInt16BigEndian(s[4..], ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(s[6..], LocalTtl);
            BinaryPrimitives.WriteUInt16BigEndian(s[10..], (ushort)(v4 ? 4 : 16));
            ip.TryWriteBytes(s[12..], out int written);
            pos += 12 + written;
        }
        return buf;
    }

    /// <summary>A response with one PTR record naming <paramref name="target"/> (the name of the question as a pointer).</summary>
    public static byte[] AnswerPtr(ReadOnlySpan<byte> query, DnsQuestion q, string target)
    {
        var rdata = EncodeName(target);
        var buf = new byte[q.End + 12 + rdata.Length];
        query[..q.End].CopyTo(buf);
        ushort flags = (ushort)(0x8000 | 0x0400 | (q.RecursionDesired ? 0x0100 : 0) | 0x0080);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(10), 0);
        var s = buf.AsSpan(q.End);
        BinaryPrimitives.WriteUInt16BigEndian(s, 0xC00C);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], TypePtr);
        BinaryPrimitives.WriteUInt16BigEndian(s[4..], ClassIn);
        BinaryPrimitives.WriteUInt32BigEndian(s[6..], LocalTtl);
        BinaryPrimitives.WriteUInt16BigEndian(s[10..], (ushort)rdata.Length);
        rdata.CopyTo(s[12..]);
        return buf;
    }

    /// <summary>The address a reverse-lookup name stands for: <c>d.c.b.a.in-addr.arpa</c> or the 32 nibbles of
    /// <c>….ip6.arpa</c>; null for any other name.</summary>
    public static IPAddress? ParseReverseName(string name)
    {
        const string v4Suffix = ".in-addr.arpa", v6Suffix = ".ip6.arpa";
        if (name.EndsWith(v4Suffix, StringComparison.OrdinalIgnoreCase))
        {
            var parts = name[..^v4Suffix.Length].Split('.');
            if (parts.Length != 4) return null;
            var bytes = new byte[4];
            for (int i = 0; i < 4; i++)
                if (!byte.TryParse(parts[3 - i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bytes[i]) ||
                    parts[3 - i].Length > 1 && parts[3 - i][0] == '0')
                    return null;
            return new IPAddress(bytes);
        }
        if (name.EndsWith(v6Suffix, StringComparison.OrdinalIgnoreCase))
        {
            var nibbles = name[..^v6Suffix.Length].Split('.');
            if (nibbles.Length != 32) return null;
            var bytes = new byte[16];
            for (int i = 0; i < 32; i++)
            {
                if (nibbles[i].Length != 1 || !Uri.IsHexDigit(nibbles[i][0])) return null;
                int v = Convert.ToInt32(nibbles[i], 16);
                int nibble = 31 - i;   // the first label is the lowest nibble of the address
                bytes[nibble / 2] |= (byte)(nibble % 2 == 0 ? v << 4 : v);
            }
            return new IPAddress(bytes);
        }
        return null;
    }

    /// <summary>A domain name in wire form (labels, then the root); labels over 63 bytes are refused.</summary>
    private static byte[] EncodeName(string name)
    {
        var labels = name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
        var buf = new byte[labels.Sum(l => Encoding.ASCII.GetByteCount(l) + 1) + 1];
        int pos = 0;
        foreach (var l in labels)
        {
            int n = Encoding.ASCII.GetByteCount(l);
            if (n > 63) throw new ArgumentException($"DNS label longer than 63 bytes: {l}", nameof(name));
            buf[pos++] = (byte)n;
            pos += Encoding.ASCII.GetBytes(l, buf.AsSpan(pos));
        }
        return buf;
    }

    /// <summary>The names of the PTR records of a response (tests read answers with it).</summary>
    public static List<string> ReadPtr(ReadOnlySpan<byte> msg)
    {
        var list = new List<string>();
        foreach (var (type, start, _) in Records(msg))
        {
            int pos = start;
            // The target may be compressed against the rest of the message, so it is read in place.
            if (type == TypePtr && ReadName(msg, ref pos) is { } target) list.Add(target);
        }
        return list;
    }

    /// <summary>A bare error response (header only, no question) for queries that cannot even be parsed.</summary>
    public static byte[] Error(ReadOnlySpan<byte> query, int rcode)
    {
        var buf = new byte[12];
        if (query.Length >= 2) query[..2].CopyTo(buf);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)(0x8000 | 0x0080 | (rcode & 0xF)));
        return buf;
    }

    /// <summary>A query for <paramref name="name"/> (tests and the fake upstream use it).</summary>
    public static byte[] Query(ushort id, string name, ushort type)
    {
        var labels = name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
        var buf = new byte[12 + labels.Sum(l => l.Length + 1) + 1 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(buf, id);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), 0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(4), 1);
        int pos = 12;
        foreach (var l in labels)
        {
            buf[pos++] = (byte)l.Length;
            pos += Encoding.ASCII.GetBytes(l, buf.AsSpan(pos));
        }
        buf[pos++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(pos), type);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(pos + 2), ClassIn);
        return buf;
    }

    /// <summary>The AAAA addresses of a response (tests read answers with it).</summary>
    public static List<IPAddress> ReadAaaa(ReadOnlySpan<byte> msg)
    {
        var list = new List<IPAddress>();
        foreach (var (type, _, data) in Records(msg))
            if (type == TypeAaaa && data.Length == 16) list.Add(new IPAddress(data));
        return list;
    }

    /// <summary>The type, data offset and data of each answer record of a response.</summary>
    private static List<(ushort Type, int Start, byte[] Data)> Records(ReadOnlySpan<byte> msg)
    {
        if (msg.Length < 12) throw new FormatException("DNS message shorter than its header");
        int qd = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        int pos = 12;
        for (int i = 0; i < qd; i++)
        {
            if (ReadName(msg, ref pos) is null) throw new FormatException("bad question name");
            pos += 4;
        }
        var list = new List<(ushort, int, byte[])>();
        for (int i = 0; i < an; i++)
        {
            if (ReadName(msg, ref pos) is null || pos + 10 > msg.Length) throw new FormatException("bad answer");
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
            int rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 8)..]);
            pos += 10;
            if (pos + rdlen > msg.Length) throw new FormatException("answer data overruns the message");
            list.Add((type, pos, msg.Slice(pos, rdlen).ToArray()));
            pos += rdlen;
        }
        return list;
    }

    /// <summary>The response code and the A addresses of a response (tests read answers with it).</summary>
    public static (int Rcode, List<uint> Addresses) ReadAnswer(ReadOnlySpan<byte> msg)
    {
        var records = Records(msg);
        int rcode = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]) & 0xF;
        return (rcode, records.Where(r => r.Type == TypeA && r.Data.Length == 4)
            .Select(r => BinaryPrimitives.ReadUInt32BigEndian(r.Data)).ToList());
    }
}
