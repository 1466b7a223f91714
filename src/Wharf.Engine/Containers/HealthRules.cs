using Wharf.Api.Containers;

namespace Wharf.Engine.Containers;

/// <summary>
/// Docker's healthcheck rules (moby daemon/health.go): defaults, probe command, when the next probe runs and how
/// a result moves the status. Pure functions of the times they are given, so tests need no clock.
/// </summary>
public static class HealthRules
{
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const int MaxLogEntries = 5;
    /// <summary>Probe output kept per result, in bytes (Docker's maxOutputLen).</summary>
    public const int MaxOutputBytes = 4096;

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultStartInterval = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;

    /// <summary>The command a probe runs, or null when the container has no healthcheck
    /// (none configured, an empty test, or ["NONE"]). CMD-SHELL goes through the container's SHELL.</summary>
    public static IReadOnlyList<string>? ProbeCommand(HealthConfig? config, IReadOnlyList<string>? shell = null)
    {
        if (config?.Test is not { Count: > 1 } test) return null;
        return test[0] switch
        {
            "CMD" => [.. test.Skip(1)],
            "CMD-SHELL" => [.. shell is { Count: > 0 } ? shell : ["/bin/sh", "-c"], .. test.Skip(1)],
            _ => null,
        };
    }

    /// <summary>Refuses settings Docker refuses at create, with its words (durations under 1 ms, negative retries).</summary>
    public static void Validate(HealthConfig? c)
    {
        if (c is null) return;
        const long MinimumNs = 1_000_000;
        static void Check(long ns, string field)
        {
            if (ns != 0 && ns < MinimumNs) throw Wharf.Core.WharfException.Invalid($"{field} in Healthcheck cannot be less than 1ms");
        }
        Check(c.Interval, "Interval");
        Check(c.Timeout, "Timeout");
        if (c.Retries < 0) throw Wharf.Core.WharfException.Invalid("Retries in Healthcheck cannot be negative");
        Check(c.StartPeriod, "StartPeriod");
        Check(c.StartInterval, "StartInterval");
    }

    /// <summary>Docker's output for a probe that ran out of time: "Health check exceeded timeout (30s)".</summary>
    public static string TimeoutMessage(TimeSpan timeout) => $"Health check exceeded timeout ({GoString(timeout)})";

    /// <summary>Go's Duration.String() for the whole-unit values flags produce ("1m30s", "500ms", "2s").</summary>
    internal static string GoString(TimeSpan t)
    {
        if (t < TimeSpan.FromSeconds(1)) return t.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms";
        var s = "";
        if (t.Hours + t.Days * 24 > 0) s += (t.Hours + t.Days * 24).ToString(System.Globalization.CultureInfo.InvariantCulture) + "h";
        if (s.Length > 0 || t.Minutes > 0) s += t.Minutes.ToString(System.Globalization.CultureInfo.InvariantCulture) + "m";
        var seconds = t.Seconds + t.Milliseconds / 1000.0;
        return s + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";
    }

    public static TimeSpan Interval(HealthConfig c) => OrDefault(c.Interval, DefaultInterval);
    public static TimeSpan Timeout(HealthConfig c) => OrDefault(c.Timeout, DefaultTimeout);
    public static TimeSpan StartPeriod(HealthConfig c) => OrDefault(c.StartPeriod, TimeSpan.Zero);
    public static TimeSpan StartInterval(HealthConfig c) => OrDefault(c.StartInterval, DefaultStartInterval);
    public static int Retries(HealthConfig c) => c.Retries > 0 ? c.Retries : DefaultRetries;

    private static TimeSpan OrDefault(long nanoseconds, TimeSpan fallback) =>
        nanoseconds > 0 ? TimeSpan.FromTicks(nanoseconds / 100) : fallback;

    /// <summary>Wait before the next probe: the start interval while still starting inside the start period,
    /// the interval otherwise.</summary>
    public static TimeSpan NextDelay(HealthConfig c, string status, DateTimeOffset startedAt, DateTimeOffset now) =>
        now - startedAt < StartPeriod(c) && status == Starting ? StartInterval(c) : Interval(c);

    /// <summary>Records a probe result; returns true when the status changed (a health_status event is due).
    /// A failure inside the start period, before any success, does not count towards the streak.</summary>
    public static bool Apply(HealthRecord h, HealthConfig c, DateTimeOffset startedAt, HealthProbe result)
    {
        var old = h.Status;
        h.Log.Add(result);
        if (h.Log.Count > MaxLogEntries) h.Log.RemoveRange(0, h.Log.Count - MaxLogEntries);
        if (result.ExitCode == 0)
        {
            h.FailingStreak = 0;
            h.Status = Healthy;
        }
        else if (!(h.Status == Starting && result.Start - startedAt < StartPeriod(c)))
        {
            h.FailingStreak++;
            if (h.FailingStreak >= Retries(c)) h.Status = Unhealthy;
        }
        return h.Status != old;
    }

    /// <summary>Docker's status suffix: "health: starting", "healthy", "unhealthy".</summary>
    public static string StatusSuffix(string status) => status == Starting ? "health: starting" : status;
}
