using Wharf.Runtime;

namespace Wharf.Unit.Tests.Runtime;

/// <summary>exit.json and the monitor's exit frame: written by wharf-shim, read by wharfd.</summary>
public sealed class ExitRecordJsonTests
{
    [Fact]
    public void Round_trips_every_field()
    {
        var at = new DateTimeOffset(2026, 11, 29, 12, 0, 1, TimeSpan.Zero).AddTicks(1234567);
        var record = new ExitRecord(137, at, OomKilled: true, Error: "runc said \"no\"\nand\\left\u0001");
        var json = ExitRecordJson.Serialize(record);
        Assert.Equal(
            "{\"ExitCode\":137,\"ExitedAt\":\"2026-11-29T12:00:01.1234567Z\",\"OomKilled\":true,\"Error\":\"runc said \\\"no\\\"\\u000aand\\\\left\\u0001\"}",
            json);
        Assert.Equal(record, ExitRecordJson.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void ToString_names_the_fields_like_a_record() =>
        Assert.Equal("ExitRecord { ExitCode = 5, ExitedAt = 2026-01-02T03:04:05Z, OomKilled = False, Error =  }",
            new ExitRecord(5, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)).ToString());
}
