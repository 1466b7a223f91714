using System.Globalization;

namespace Wharf.Distribution;

/// <summary>One line of pull/push progress: Docker's JSONMessage without the wire format (the daemon writes that).
/// <paramref name="Id"/> is the short layer id (or the tag for the header line); <paramref name="Current"/> and
/// <paramref name="Total"/> fill progressDetail; <paramref name="Detail"/> false means no progressDetail at all.</summary>
public sealed record ProgressEvent(string? Id, string Status, long Current = 0, long Total = 0, bool Detail = true)
{
    /// <summary>The "[====>   ]  1.05MB/2.15MB" text of jsonmessage.JSONProgress for a transfer in flight, else null.</summary>
    public string? ProgressText => Current > 0 || Total > 0 ? ProgressBar.Format(Current, Total) : null;
}

/// <summary>Receives progress; implementations must be safe to call from several downloads at once.</summary>
public interface IProgressSink
{
    Task ReportAsync(ProgressEvent e);
}

/// <summary>moby's pkg/jsonmessage JSONProgress.String (50-column bar, decimal sizes as go-units HumanSize).</summary>
public static class ProgressBar
{
    public static string Format(long current, long total)
    {
        if (total <= 0) return HumanSize(current).PadLeft(8);
        int pct = Math.Min(50, (int)((double)current / total * 100) / 2);
        return "[" + new string('=', pct) + ">" + new string(' ', 50 - pct) + "] " + HumanSize(current).PadLeft(8) + "/" + HumanSize(total);
    }

    /// <summary>go-units HumanSize: 4 significant digits, powers of 1000, "B kB MB GB…".</summary>
    public static string HumanSize(double size)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        int i = 0;
        while (size >= 1000 && i < units.Length - 1)
        {
            size /= 1000;
            i++;
        }
        return size.ToString("G4", CultureInfo.InvariantCulture) + units[i];
    }
}
