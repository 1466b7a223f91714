using Wharf.Core;

namespace Wharf.Engine.Containers;

/// <summary>Linux signal names and numbers as the API accepts them ("TERM", "SIGTERM", "15").</summary>
public static class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private static readonly Dictionary<string, int> Map = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20,
        ["TTIN"] = 21, ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27,
        ["WINCH"] = 28, ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31, ["UNUSED"] = 31,
        ["RTMIN"] = 34, ["RTMAX"] = 64,
    };

    /// <summary>Parses a signal; throws InvalidArgument "Invalid signal: x" like moby.</summary>
    public static int Parse(string signal)
    {
        var s = signal.Trim();
        if (int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            if (n is >= 1 and <= 64) return n;
            throw WharfException.Invalid($"Invalid signal: {signal}");
        }
        if (s.StartsWith("SIG", StringComparison.OrdinalIgnoreCase)) s = s[3..];
        if (Map.TryGetValue(s, out n)) return n;
        // RTMIN+n / RTMAX-n
        if (s.StartsWith("RTMIN+", StringComparison.OrdinalIgnoreCase) && int.TryParse(s[6..], out var k) && 34 + k <= 64) return 34 + k;
        if (s.StartsWith("RTMAX-", StringComparison.OrdinalIgnoreCase) && int.TryParse(s[6..], out k) && 64 - k >= 34) return 64 - k;
        throw WharfException.Invalid($"Invalid signal: {signal}");
    }
}
