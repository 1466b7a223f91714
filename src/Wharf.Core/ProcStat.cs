using System.Globalization;

namespace Wharf.Core;

/// <summary>
/// The fields Wharf reads from /proc/&lt;pid&gt;/stat: the state (field 3) and the start time in clock ticks after boot
/// (field 22), which tells a process from a later one that reused its pid.
/// </summary>
public readonly record struct ProcStat(char State, ulong StartTime)
{
    /// <summary>Zombie or dead: the process has exited, whether or not it has been reaped.</summary>
    public bool Exited => State is 'Z' or 'X' or 'x';

    /// <summary>The text of /proc/<paramref name="pid"/>/stat; null when there is no such process (or it was reaped
    /// between the open and the read, ESRCH).</summary>
    public static string? ReadText(int pid)
    {
        try
        {
            return File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The fields of a stat line; null when it is not one (cut short, say).</summary>
    public static ProcStat? Parse(string text)
    {
        // "pid (comm) S ppid …": comm may hold spaces and parentheses, so fields count from the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var f = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // f[0] is field 3 (state); f[19] is field 22 (starttime).
        if (f.Length < 20 || f[0].Length != 1 || !ulong.TryParse(f[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            return null;
        return new ProcStat(f[0][0], start);
    }

    /// <summary>Whether <paramref name="pid"/> is a process that has not exited.</summary>
    public static bool IsLive(int pid) => pid > 0 && ReadText(pid) is { } text && Parse(text) is { Exited: false };
}
