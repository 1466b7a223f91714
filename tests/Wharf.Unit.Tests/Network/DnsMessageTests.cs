using System.Buffers.Binary;
using Wharf.Network;
using Wharf.Network.Dns;

namespace Wharf.Unit.Tests.Network;

public sealed class DnsMessageTests
{
    [Fact]
    public void Query_question_is_read_lower_case_without_trailing_dot()
    {
        var q = DnsMessage.ParseQuery(DnsMessage.Query(0x1234, "Web.Example.", DnsMessage.TypeA));

        Assert.NotNull(q);
        Assert.Equal(0x1234, q.Id);
        Assert.Equal("web.example", q.Name);
        Assert.Equal(DnsMessage.TypeA, q.Type);
        Assert.Equal(DnsMessage.ClassIn, q.Class);
        Assert.True(q.RecursionDesired);
    }

    [Fact]
    public void Responses_and_truncated_messages_are_not_queries()
    {
        var query = DnsMessage.Query(1, "a", DnsMessage.TypeA);
        var response = (byte[])query.Clone();
        response[2] |= 0x80;

        Assert.Null(DnsMessage.ParseQuery(response));
        Assert.Null(DnsMessage.ParseQuery(query.AsSpan(0, query.Length - 3)));
        Assert.Null(DnsMessage.ParseQuery(new byte[5]));
    }

    [Fact]
    public void Compression_pointer_loops_are_rejected()
    {
        var msg = new byte[14];
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(4), 1);
        msg[12] = 0xC0;
        msg[13] = 12;                       // points at itself
        int pos = 12;

        Assert.Null(DnsMessage.ReadName(msg, ref pos));
    }

    [Fact]
    public void Answer_carries_one_A_record_per_address_and_the_query_id()
    {
        var query = DnsMessage.Query(77, "peer", DnsMessage.TypeA);
        var q = DnsMessage.ParseQuery(query)!;

        var answer = DnsMessage.Answer(query, q, DnsMessage.NoError, [Ipv4Cidr.ParseIp("10.1.2.3"), Ipv4Cidr.ParseIp("10.1.2.4")]);
        var (rcode, addresses) = DnsMessage.ReadAnswer(answer);

        Assert.Equal(77, BinaryPrimitives.ReadUInt16BigEndian(answer));
        Assert.Equal(DnsMessage.NoError, rcode);
        Assert.Equal(["10.1.2.3", "10.1.2.4"], addresses.Select(Ipv4Cidr.FormatIp));
        Assert.Equal(0x80, answer[2] & 0x80);               // QR
        Assert.Equal(0x04, answer[2] & 0x04);               // AA
    }

    [Fact]
    public void Aaaa_records_carry_sixteen_bytes_each_beside_a_records()
    {
        var query = DnsMessage.Query(78, "peer", DnsMessage.TypeAaaa);
        var q = DnsMessage.ParseQuery(query)!;

        var answer = DnsMessage.Answer(query, q, DnsMessage.NoError,
            [System.Net.IPAddress.Parse("fd42:77:1::2"), System.Net.IPAddress.Parse("10.1.2.3")]);

        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6)));
        Assert.Equal(q.End + (12 + 16) + (12 + 4), answer.Length);
        Assert.Equal(DnsMessage.TypeAaaa, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(q.End + 2)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(q.End + 10)));
        Assert.Equal(["fd42:77:1::2"], DnsMessage.ReadAaaa(answer).Select(a => a.ToString()));
        Assert.Equal(["10.1.2.3"], DnsMessage.ReadAnswer(answer).Addresses.Select(Ipv4Cidr.FormatIp));
    }

    [Fact]
    public void Error_answers_keep_the_question()
    {
        var query = DnsMessage.Query(9, "nowhere", DnsMessage.TypeA);
        var q = DnsMessage.ParseQuery(query)!;

        var answer = DnsMessage.Answer(query, q, DnsMessage.ServFail, Array.Empty<uint>());

        var (rcode, addresses) = DnsMessage.ReadAnswer(answer);
        Assert.Equal(DnsMessage.ServFail, rcode);
        Assert.Empty(addresses);
        Assert.Equal("nowhere", DnsMessage.ParseQuery(query)!.Name);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(4)));
    }

    [Theory]
    [InlineData("4.3.2.10.in-addr.arpa", "10.2.3.4")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.7.7.0.0.2.4.d.f.ip6.arpa", "fd42:77:1::1")]
    [InlineData("3.2.10.in-addr.arpa", null)]
    [InlineData("4.3.2.256.in-addr.arpa", null)]
    [InlineData("4.3.02.10.in-addr.arpa", null)]
    [InlineData("1.0.ip6.arpa", null)]
    [InlineData("peer.net1", null)]
    public void Reverse_names_map_to_their_address(string name, string? expected) =>
        Assert.Equal(expected, DnsMessage.ParseReverseName(name)?.ToString());

    [Fact]
    public void Ptr_answers_carry_the_target_name()
    {
        var query = DnsMessage.Query(7, "2.0.77.10.in-addr.arpa", DnsMessage.TypePtr);
        var q = DnsMessage.ParseQuery(query)!;

        var answer = DnsMessage.AnswerPtr(query, q, "peer.net1");

        Assert.Equal(DnsMessage.NoError, DnsMessage.ReadAnswer(answer).Rcode);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6)));
        Assert.Equal(["peer.net1"], DnsMessage.ReadPtr(answer));
    }
}
