using System.Text;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

public sealed class JsonFileLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-log-").FullName;
    private string LogPath => Path.Combine(_dir, "c-json.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(string log, string stream, int second) =>
        $"{{\"log\":\"{log}\\n\",\"stream\":\"{stream}\",\"time\":\"2025-01-01T00:00:{second:D2}.123456789Z\"}}\n";

    private void Fixture()
    {
        // .2 is the oldest rotated file, .1 the newer one, then the live file.
        File.WriteAllText(LogPath + ".2", Line("one", "stdout", 1) + Line("two", "stderr", 2));
        File.WriteAllText(LogPath + ".1", Line("three", "stdout", 3) + Line("four \\\"q\\\"", "stdout", 4));
        File.WriteAllText(LogPath, Line("five", "stderr", 5) + Line("six", "stdout", 6) + "{\"log\":\"partial");
    }

    private async Task<List<string>> Read(LogReadOptions o)
    {
        var list = new List<string>();
        await foreach (var e in JsonFileLog.ReadAsync(LogPath, o, null))
            list.Add(e.Stream + ":" + Encoding.UTF8.GetString(e.Data.Span).TrimEnd('\n'));
        return list;
    }

    [Fact]
    public async Task ReadsRotatedFilesOldestFirst()
    {
        Fixture();
        Assert.Equal(["1:one", "2:two", "1:three", "1:four \"q\"", "2:five", "1:six"], await Read(new LogReadOptions()));
    }

    [Fact]
    public async Task FiltersStreams()
    {
        Fixture();
        Assert.Equal(["2:two", "2:five"], await Read(new LogReadOptions(Stdout: false)));
        Assert.Equal(["1:one", "1:three", "1:four \"q\"", "1:six"], await Read(new LogReadOptions(Stderr: false)));
    }

    [Fact]
    public async Task TailCountsLinesAcrossFiles()
    {
        Fixture();
        Assert.Equal(["1:four \"q\"", "2:five", "1:six"], await Read(new LogReadOptions(Tail: 3)));
        Assert.Empty(await Read(new LogReadOptions(Tail: 0)));
        Assert.Equal(6, (await Read(new LogReadOptions(Tail: 100))).Count);
        // Tail counts all streams, then the stream filter applies (as Docker).
        Assert.Equal(["1:six"], await Read(new LogReadOptions(Stderr: false, Tail: 2)));
    }

    [Fact]
    public async Task SinceAndUntil()
    {
        Fixture();
        var t = new DateTimeOffset(2025, 1, 1, 0, 0, 3, TimeSpan.Zero);
        Assert.Equal(["1:three", "1:four \"q\"", "2:five", "1:six"], await Read(new LogReadOptions(Since: t)));
        Assert.Equal(["1:one", "2:two"], await Read(new LogReadOptions(Until: t)));
    }

    [Fact]
    public async Task TimestampsUseFixedNanoseconds()
    {
        Fixture();
        var l = await Read(new LogReadOptions(Tail: 1, Timestamps: true));
        Assert.Equal(["1:2025-01-01T00:00:06.123456789Z six"], l);
        Assert.Equal("2025-01-01T00:00:06.100000000Z", JsonFileLog.FormatTimestamp("2025-01-01T00:00:06.1Z", default));
        Assert.Equal("2025-01-01T00:00:06.000000000Z", JsonFileLog.FormatTimestamp("2025-01-01T00:00:06Z", default));
    }

    [Fact]
    public async Task FollowReadsAppendedLinesUntilStopped()
    {
        File.WriteAllText(LogPath, Line("a", "stdout", 1));
        var stopped = new TaskCompletionSource();
        var got = new List<string>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in JsonFileLog.ReadAsync(LogPath, new LogReadOptions(), stopped.Task))
                got.Add(Encoding.UTF8.GetString(e.Data.Span).TrimEnd('\n'));
        });
        await Task.Delay(150);
        File.AppendAllText(LogPath, Line("b", "stdout", 2));
        await Task.Delay(250);
        File.AppendAllText(LogPath, Line("c", "stdout", 3));
        stopped.SetResult();
        await reader.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["a", "b", "c"], got);
    }

    [Fact]
    public async Task MissingLogIsEmpty() => Assert.Empty(await Read(new LogReadOptions()));
}
