using System.Globalization;
using Wharf.Core;

namespace Wharf.Engine.Events;

/// <summary>Parses the <c>since</c>/<c>until</c> of <c>/events</c>: unix seconds with an optional fraction (what
/// the CLI sends after resolving durations) or RFC 3339. Empty means no bound.</summary>
public static class EventTimestamp
{
    /// <summary>Nanoseconds since the Unix epoch, or null for empty.</summary>
    public static long? ParseNanos(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var parts = value.Split('.', 2);
        if (long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var secs))
        {
            long frac = 0;
            if (parts.Length == 2)
            {
                if (parts[1].Length == 0 || parts[1].Length > 9 ||
                    !long.TryParse(parts[1].PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture, out frac))
                    throw Invalid(value);
            }
            return checked(secs * 1_000_000_000 + (secs < 0 ? -frac : frac));
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) &&
            value.Contains('T', StringComparison.Ordinal))
            return (t.UtcDateTime - DateTime.UnixEpoch).Ticks * 100;
        throw Invalid(value);
    }

    private static WharfException Invalid(string value) =>
        WharfException.Invalid($"failed to parse value as time or duration: \"{value}\"");
}
