namespace Wharf.Core;

/// <summary>
/// RFC 3339 timestamps in UTC as Go writes them (<c>2006-01-02T15:04:05.999999999Z</c>), with integer arithmetic
/// only. DateTime's format strings would do, but they drag the time-zone and TimeSpan-parsing code into the
/// NativeAOT monitor, and every kilobyte of its code is paid again in each container's resident memory.
/// </summary>
public static class Rfc3339
{
    /// <summary>The longest result: <c>yyyy-MM-ddTHH:mm:ss.fffffffffZ</c>.</summary>
    public const int MaxLength = 30;

    private const long NanosPerSecond = 1_000_000_000L;

    /// <summary>
    /// Writes the time <paramref name="unixNanos"/> nanoseconds after the Unix epoch (years 1678–2262) into
    /// <paramref name="dest"/> (at least <see cref="MaxLength"/> bytes) and returns the bytes written.
    /// </summary>
    /// <param name="fractionDigits">Digits of the second's fraction, 0–9 (truncated, as Go does).</param>
    /// <param name="trimZeros">Go's RFC3339Nano: trailing zeros of the fraction are dropped, and the dot with them
    /// when nothing is left; otherwise the fraction always has <paramref name="fractionDigits"/> digits.</param>
    public static int Write(long unixNanos, Span<byte> dest, int fractionDigits = 9, bool trimZeros = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fractionDigits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fractionDigits, 9);
        long secs = Math.DivRem(unixNanos, NanosPerSecond, out long nanos);
        if (nanos < 0)
        {
            secs--;
            nanos += NanosPerSecond;
        }
        var t = DateTime.UnixEpoch.AddSeconds(secs);
        int w = 0;
        WriteDigits(dest, ref w, t.Year, 4); dest[w++] = (byte)'-';
        WriteDigits(dest, ref w, t.Month, 2); dest[w++] = (byte)'-';
        WriteDigits(dest, ref w, t.Day, 2); dest[w++] = (byte)'T';
        WriteDigits(dest, ref w, t.Hour, 2); dest[w++] = (byte)':';
        WriteDigits(dest, ref w, t.Minute, 2); dest[w++] = (byte)':';
        WriteDigits(dest, ref w, t.Second, 2);
        long fraction = nanos;
        for (int i = fractionDigits; i < 9; i++) fraction /= 10;
        int digits = fractionDigits;
        if (trimZeros)
        {
            while (digits > 0 && fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
        }
        if (digits > 0)
        {
            dest[w++] = (byte)'.';
            WriteDigits(dest, ref w, (int)fraction, digits);
        }
        dest[w++] = (byte)'Z';
        return w;
    }

    /// <summary>The same as a string, for a <see cref="DateTimeOffset"/> (any offset; written in UTC).</summary>
    public static string Format(DateTimeOffset time, int fractionDigits = 9, bool trimZeros = true)
    {
        Span<byte> buf = stackalloc byte[MaxLength];
        int n = Write(ToUnixNanos(time), buf, fractionDigits, trimZeros);
        return System.Text.Encoding.ASCII.GetString(buf[..n]);
    }

    /// <summary>Nanoseconds since the Unix epoch (DateTime's 100 ns resolution).</summary>
    public static long ToUnixNanos(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    private static void WriteDigits(Span<byte> dest, ref int w, int value, int width)
    {
        for (int i = width - 1; i >= 0; i--)
        {
            dest[w + i] = (byte)('0' + value % 10);
            value /= 10;
        }
        w += width;
    }
}
