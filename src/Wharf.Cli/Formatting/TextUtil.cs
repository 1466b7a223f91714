using System.Text;

namespace Wharf.Cli.Formatting;

/// <summary>Small text helpers docker's formatters use.</summary>
internal static class TextUtil
{
    /// <summary>First 12 hex digits of an id, without the "sha256:" prefix.</summary>
    public static string TruncateId(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            id = id[(colon + 1)..];
        }

        return id.Length > 12 ? id[..12] : id;
    }

    /// <summary>Cuts to <paramref name="max"/> characters, the last being "…" (docker's formatter.Ellipsis).</summary>
    public static string Ellipsis(string s, int max)
    {
        if (max <= 0)
        {
            return "";
        }

        if (s.Length <= max)
        {
            return s;
        }

        return max == 1 ? "…" : string.Concat(s.AsSpan(0, max - 1), "…");
    }

    /// <summary>Go's strconv.Quote for the printable cases that occur in commands.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Splits "repo:tag" at the last colon that is after the last slash (registry ports stay in repo).</summary>
    public static (string Repository, string? Tag) SplitRepoTag(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? reference[..at] : reference;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? (name[..colon], name[(colon + 1)..]) : (name, null);
    }
}
