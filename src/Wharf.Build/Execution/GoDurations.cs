using System.Globalization;
using System.Text.RegularExpressions;

namespace Wharf.Build.Execution;

/// <summary>Go's time.ParseDuration ("1m30s", "500ms", "2h"), to nanoseconds.</summary>
internal static partial class GoDurations
{
    [GeneratedRegex(@"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();

    public static long? Parse(string text)
    {
        if (text == "0") return 0;
        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text) return null;
        double total = 0;
        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += n * m.Groups[2].Value switch
            {
                "ns" => 1, "us" or "µs" => 1e3, "ms" => 1e6, "s" => 1e9, "m" => 60e9, _ => 3600e9,
            };
        }
        return (long)total;
    }
}
