using System.Buffers.Binary;
using System.Text;
using Wharf.Client;

namespace Wharf.Unit.Tests.Client;

public sealed class StdCopyReaderTests
{
    internal static byte[] Frame(byte stream, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    internal static byte[] Frame(byte stream, string text) => Frame(stream, Encoding.UTF8.GetBytes(text));

    private static async Task<(string Out, string Err)> DemuxAsync(byte[] data, int maxRead, int chunk = 32 * 1024)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await new StdCopyReader(new TrickleStream(data, maxRead), chunk).CopyToAsync(stdout, stderr);
        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(4096)]
    public async Task Demuxes_frames_split_at_any_byte(int maxRead)
    {
        var data = Frame(1, "hello\n").Concat(Frame(2, "oops\n")).Concat(Frame(1, "")).Concat(Frame(1, "world\n")).ToArray();
        var (o, e) = await DemuxAsync(data, maxRead);
        Assert.Equal("hello\nworld\n", o);
        Assert.Equal("oops\n", e);
    }

    [Fact]
    public async Task Large_frames_come_out_whole_in_pieces()
    {
        var payload = new byte[1_000_003];
        new Random(42).NextBytes(payload);
        var data = Frame(1, payload).Concat(Frame(2, "tail")).ToArray();
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var reader = new StdCopyReader(new TrickleStream(data, 70_000), chunkSize: 16 * 1024);
        var pieces = 0;
        while (await reader.ReadAsync() is { } frame)
        {
            Assert.True(frame.Payload.Length <= 16 * 1024);
            (frame.Stream == StdStream.Stdout ? stdout : stderr).Write(frame.Payload.Span);
            pieces++;
        }

        Assert.Equal(payload, stdout.ToArray());
        Assert.Equal("tail", Encoding.UTF8.GetString(stderr.ToArray()));
        Assert.True(pieces > 60);
    }

    [Fact]
    public async Task Size_is_big_endian()
    {
        var payload = new byte[0x0102];
        var data = Frame(1, payload);
        Assert.Equal([1, 0, 0, 0, 0, 0, 1, 2], data[..8]);
        var (o, _) = await DemuxAsync(data, 4096);
        Assert.Equal(0x0102, o.Length);
    }

    [Fact]
    public async Task SystemErr_frame_becomes_an_error()
    {
        var data = Frame(1, "a").Concat(Frame(3, "boom")).ToArray();
        var ex = await Assert.ThrowsAsync<DockerStreamException>(() => DemuxAsync(data, 2));
        Assert.Equal("error from daemon in stream: boom", ex.Message);
    }

    [Fact]
    public async Task Unknown_stream_id_is_rejected()
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => DemuxAsync(Frame(9, "x"), 100));
    }

    [Fact]
    public async Task Truncated_stream_ends_quietly_with_what_arrived()
    {
        var full = Frame(1, "abcdef").Concat(Frame(2, "zz")).ToArray();
        var (o, e) = await DemuxAsync(full[..^4], 3); // cut inside the second header
        Assert.Equal("abcdef", o);
        Assert.Equal("", e);

        (o, _) = await DemuxAsync(full[..11], 3); // cut inside the first payload
        Assert.Equal("abc", o);
    }

    [Fact]
    public async Task Empty_stream_has_no_frames()
    {
        Assert.Null(await new StdCopyReader(new MemoryStream()).ReadAsync());
    }
}
