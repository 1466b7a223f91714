using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Build.Context;

/// <summary>One .dockerignore line compiled to a regex with Docker's rules: <c>*</c> and <c>?</c> never cross a
/// slash, <c>**</c> matches any number of directories (zero included), <c>\</c> escapes.</summary>
internal sealed class IgnorePattern
{
    private readonly Regex _regex;

    public IgnorePattern(string pattern, bool exclusion)
    {
        Text = pattern;
        Exclusion = exclusion;
        _regex = new Regex(ToRegex(pattern), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    public string Text { get; }
    public bool Exclusion { get; }

    public bool Matches(string path) => _regex.IsMatch(path);

    private static string ToRegex(string p)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < p.Length; i++)
        {
            var ch = p[i];
            if (ch == '*')
            {
                if (i + 1 < p.Length && p[i + 1] == '*')
                {
                    i++;
                    if (i + 1 < p.Length && p[i + 1] == '/') i++;
                    sb.Append(i + 1 >= p.Length ? ".*" : "(.*/)?");
                }
                else sb.Append("[^/]*");
            }
            else if (ch == '?') sb.Append("[^/]");
            else if (ch == '[')
            {
                var end = p.IndexOf(']', i + 1);
                if (end < 0) { sb.Append(@"\["); continue; }
                var cls = p[(i + 1)..end];
                if (cls.StartsWith('!')) cls = "^" + cls[1..];
                sb.Append('[').Append(cls.Replace("\\", "\\\\")).Append(']');
                i = end;
            }
            else if (ch == '\\' && i + 1 < p.Length) sb.Append(Regex.Escape(p[++i].ToString()));
            else sb.Append(Regex.Escape(ch.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
