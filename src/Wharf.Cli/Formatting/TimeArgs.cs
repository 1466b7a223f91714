using System.Globalization;

namespace Wharf.Cli.Formatting;

/// <summary>
/// Converts `--since`/`--until` arguments to the daemon's unix seconds the way docker's timetypes.GetTimestamp
/// does: a Go duration ("10m", "1h30m") counts back from now, RFC 3339 / date forms are absolute, a number passes
/// through unchanged.
/// </summary>
internal static class TimeArgs
{
    public static string ToTimestamp(string value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return value;
        }

        if (TryParseGoDuration(value, out var duration))
        {
            return Format(now - duration);
        }

        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
        {
            return value;
        }

        var styles = value.Contains('Z', StringComparison.Ordinal) || HasOffset(value)
            ? DateTimeStyles.AdjustToUniversal
            : DateTimeStyles.AssumeLocal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, styles, out var absolute))
        {
            return Format(absolute);
        }

        throw new Parsing.UsageException($"invalid value for \"since\": failed to parse value as time or duration: \"{value}\"");
    }

    /// <summary>Go's "%d.%09d" of Unix seconds and nanoseconds.</summary>
    private static string Format(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest * 100:D9}");
    }

    private static bool HasOffset(string value)
    {
        var t = value.IndexOf('T', StringComparison.Ordinal);
        return t >= 0 && (value.IndexOf('+', t) >= 0 || value.IndexOf('-', t) >= 0);
    }

    /// <summary>Go's time.ParseDuration for the units people type: h, m, s, ms, us, ns (with fractions).</summary>
    public static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text;
        var negative = false;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        double totalTicks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            double ticksPerUnit = s[unitStart..i] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => TimeSpan.TicksPerMillisecond / 1000.0,
                "ns" => TimeSpan.TicksPerMillisecond / 1_000_000.0,
                _ => -1,
            };
            if (ticksPerUnit < 0)
            {
                return false;
            }

            totalTicks += number * ticksPerUnit;
        }

        duration = TimeSpan.FromTicks((long)(negative ? -totalTicks : totalTicks));
        return true;
    }
}
