using System.Globalization;

namespace Wharf.Cli.Formatting;

/// <summary>Docker's human-readable durations and sizes (go-units HumanDuration / HumanSizeWithPrecision).</summary>
internal static class HumanUnits
{
    private static readonly string[] BinaryUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    public static string Duration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }

        if (seconds == 1)
        {
            return "1 second";
        }

        if (seconds < 60)
        {
            return $"{seconds} seconds";
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }

        if (minutes < 60)
        {
            return $"{minutes} minutes";
        }

        // Go rounds to the nearest hour here (d.Round(time.Hour)).
        var hours = (long)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        if (hours == 1)
        {
            return "About an hour";
        }

        if (hours < 48)
        {
            return $"{hours} hours";
        }

        if (hours < 24 * 7 * 2)
        {
            return $"{hours / 24} days";
        }

        if (hours < 24 * 30 * 2)
        {
            return $"{hours / 24 / 7} weeks";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24 / 30} months";
        }

        return $"{(long)d.TotalHours / 24 / 365} years";
    }

    /// <summary>"2 minutes ago" relative to <paramref name="now"/>.</summary>
    public static string Ago(DateTimeOffset then, DateTimeOffset now) => Duration(now - then) + " ago";

    /// <summary>Decimal (1000-based) size with <paramref name="precision"/> significant digits: 4261550 → "4.26MB".</summary>
    public static string Size(double size, int precision = 3)
    {
        var unit = 0;
        while (size >= 1000 && unit < DecimalUnits.Length - 1)
        {
            size /= 1000;
            unit++;
        }

        return FormatG(size, precision) + DecimalUnits[unit];
    }

    /// <summary>Binary (1024-based) size with 4 significant digits, as go-units BytesSize: 643072 → "628KiB".</summary>
    public static string BytesSize(double size)
    {
        var unit = 0;
        while (size >= 1024 && unit < BinaryUnits.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return FormatG(size, 4) + BinaryUnits[unit];
    }

    /// <summary>Go's %.Ng: N significant digits, trailing zeros dropped, exponent form only when Go would use it.</summary>
    private static string FormatG(double value, int precision)
    {
        var text = value.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (!text.Contains('E', StringComparison.Ordinal))
        {
            return text;
        }

        // .NET writes "1E+03", Go writes "1e+03".
        return text.Replace('E', 'e');
    }
}
