using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Build.Execution;

/// <summary>Go's filepath.Match for one path component: <c>*</c>, <c>?</c>, <c>[…]</c>, <c>\</c> escapes.</summary>
internal static class Glob
{
    public static bool HasMeta(string s) => s.IndexOfAny(['*', '?', '[']) >= 0;

    public static Regex Compile(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0) { sb.Append(@"\["); break; }
                    var cls = pattern[(i + 1)..end];
                    if (cls.StartsWith('^') || cls.StartsWith('!')) cls = "^" + cls[1..];
                    sb.Append('[').Append(cls.Replace("\\", "\\\\")).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < pattern.Length: sb.Append(Regex.Escape(pattern[++i].ToString())); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
