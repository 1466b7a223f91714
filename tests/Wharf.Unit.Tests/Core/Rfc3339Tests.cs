using System.Globalization;
using System.Text;
using Wharf.Core;

namespace Wharf.Unit.Tests.Core;

/// <summary>Go's RFC 3339 timestamps, written without DateTime's format strings (the monitor's json-file log and
/// exit.json, and the API's time fields).</summary>
public sealed class Rfc3339Tests
{
    private static string Write(long unixNanos, int digits = 9, bool trim = true)
    {
        var buf = new byte[Rfc3339.MaxLength];
        return Encoding.ASCII.GetString(buf, 0, Rfc3339.Write(unixNanos, buf, digits, trim));
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00Z")]
    [InlineData(1_700_000_000_123_456_789L, "2023-11-14T22:13:20.123456789Z")]
    [InlineData(1_700_000_000_120_000_000L, "2023-11-14T22:13:20.12Z")]
    [InlineData(1_700_000_000_000_000_001L, "2023-11-14T22:13:20.000000001Z")]
    [InlineData(951_782_400_500_000_000L, "2000-02-29T00:00:00.5Z")]
    [InlineData(-1L, "1969-12-31T23:59:59.999999999Z")]
    public void Writes_go_RFC3339Nano_with_trailing_zeros_dropped(long unixNanos, string expected) =>
        Assert.Equal(expected, Write(unixNanos));

    [Fact]
    public void Fixed_digits_keep_zeros_and_truncate()
    {
        Assert.Equal("2023-11-14T22:13:20.1234567Z", Write(1_700_000_000_123_456_789L, 7, trim: false));
        Assert.Equal("2023-11-14T22:13:20.0000000Z", Write(1_700_000_000_000_000_000L, 7, trim: false));
        Assert.Equal("2023-11-14T22:13:20Z", Write(1_700_000_000_999_999_999L, 0, trim: false));
    }

    [Fact]
    public void Agrees_with_DateTime_formatting_over_a_range_of_times()
    {
        var rng = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            var t = new DateTimeOffset(rng.NextInt64(new DateTime(1971, 1, 1).Ticks, new DateTime(2200, 1, 1).Ticks), TimeSpan.Zero);
            var expected = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
            Assert.Equal(expected, Rfc3339.Format(t, fractionDigits: 7, trimZeros: false));
        }
    }

    [Fact]
    public void Format_writes_any_offset_in_UTC()
    {
        var t = new DateTimeOffset(2024, 3, 1, 1, 30, 0, TimeSpan.FromHours(2)).AddTicks(5);
        Assert.Equal("2024-02-29T23:30:00.0000005Z", Rfc3339.Format(t));
    }

    [Fact]
    public void Refuses_more_than_nine_fraction_digits() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(0, 10));
}
