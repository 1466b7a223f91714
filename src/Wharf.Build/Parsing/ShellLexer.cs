using System.Text;
using System.Text.RegularExpressions;
using Wharf.Core;

namespace Wharf.Build.Parsing;

/// <summary>
/// Variable expansion and quote removal of one word, as Docker's shell lexer does for FROM, COPY, ADD, ENV, LABEL,
/// WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, ARG and flags: <c>$v</c>, <c>${v}</c>, <c>${v:-x}</c>, <c>${v-x}</c>,
/// <c>${v:+x}</c>, <c>${v+x}</c>, <c>${v:?err}</c>, <c>${v?err}</c>, <c>${v#p}</c>, <c>${v%p}</c>,
/// <c>${v/p/r}</c>; single quotes are literal; the escape character escapes the next character (inside double
/// quotes only <c>"</c>, <c>$</c> and itself).
/// </summary>
public sealed class ShellLexer(char escape = '\\')
{
    /// <summary>Expands one word; <paramref name="lookup"/> returns null for an unset variable.</summary>
    public string ProcessWord(string word, Func<string, string?> lookup)
    {
        var state = new State(word, lookup);
        var result = ProcessUntil(state, stopAt: null);
        return result;
    }

    private sealed class State(string text, Func<string, string?> lookup)
    {
        public string Text { get; } = text;
        public Func<string, string?> Lookup { get; } = lookup;
        public int Pos { get; set; }
        public bool AtEnd => Pos >= Text.Length;
        public char Peek => Text[Pos];
    }

    private string ProcessUntil(State s, char? stopAt)
    {
        var sb = new StringBuilder();
        while (!s.AtEnd)
        {
            var ch = s.Peek;
            if (stopAt is { } stop && ch == stop) return sb.ToString();
            s.Pos++;
            if (ch == '\'') sb.Append(SingleQuoted(s));
            else if (ch == '"') sb.Append(DoubleQuoted(s));
            else if (ch == escape) { if (!s.AtEnd) sb.Append(s.Text[s.Pos++]); }
            else if (ch == '$') sb.Append(Dollar(s));
            else sb.Append(ch);
        }
        if (stopAt is not null) throw WharfException.Invalid("missing '}'");
        return sb.ToString();
    }

    private static string SingleQuoted(State s)
    {
        var end = s.Text.IndexOf('\'', s.Pos);
        if (end < 0) throw WharfException.Invalid("unexpected end of statement while looking for matching single-quote");
        var v = s.Text[s.Pos..end];
        s.Pos = end + 1;
        return v;
    }

    private string DoubleQuoted(State s)
    {
        var sb = new StringBuilder();
        while (!s.AtEnd)
        {
            var ch = s.Text[s.Pos++];
            if (ch == '"') return sb.ToString();
            if (ch == '$') { sb.Append(Dollar(s)); continue; }
            if (ch == escape && !s.AtEnd && (s.Peek == '"' || s.Peek == '$' || s.Peek == escape))
            {
                sb.Append(s.Text[s.Pos++]);
                continue;
            }
            sb.Append(ch);
        }
        throw WharfException.Invalid("unexpected end of statement while looking for matching double-quote");
    }

    private string Dollar(State s)
    {
        if (s.AtEnd) return "$";
        var ch = s.Peek;
        if (ch == '{') { s.Pos++; return Braced(s); }
        if (IsNameStart(ch))
        {
            var name = ReadName(s);
            return s.Lookup(name) ?? "";
        }
        if (char.IsAsciiDigit(ch)) { s.Pos++; return s.Lookup(ch.ToString()) ?? ""; }
        return "$";
    }

    private string Braced(State s)
    {
        if (s.AtEnd) throw WharfException.Invalid("syntax error: missing '}'");
        var name = char.IsAsciiDigit(s.Peek) ? s.Text[s.Pos++].ToString() : ReadName(s);
        if (name.Length == 0) throw WharfException.Invalid("bad substitution");
        if (s.AtEnd) throw WharfException.Invalid("syntax error: missing '}'");
        var value = s.Lookup(name);
        var ch = s.Text[s.Pos++];
        if (ch == '}') return value ?? "";
        var colon = false;
        if (ch == ':')
        {
            colon = true;
            if (s.AtEnd) throw WharfException.Invalid("syntax error: missing '}'");
            ch = s.Text[s.Pos++];
        }
        switch (ch)
        {
            case '-' or '+' or '?':
            {
                var word = ProcessUntil(s, '}');
                s.Pos++;
                var set = colon ? !string.IsNullOrEmpty(value) : value is not null;
                return ch switch
                {
                    '-' => set ? value! : word,
                    '+' => set ? word : "",
                    _ => set ? value! : throw WharfException.Invalid(
                        $"{name}: {(word.Length > 0 ? word : colon ? "is not allowed to be empty" : "is not allowed to be unset")}"),
                };
            }
            case '#' or '%' when !colon:
            {
                var greedy = !s.AtEnd && s.Peek == ch;
                if (greedy) s.Pos++;
                var pattern = ProcessUntil(s, '}');
                s.Pos++;
                return TrimPattern(value ?? "", pattern, prefix: ch == '#', greedy);
            }
            case '/' when !colon:
            {
                var all = !s.AtEnd && s.Peek == '/';
                if (all) s.Pos++;
                var pattern = ProcessUntil(s, '/', '}');
                var replacement = "";
                if (s.Peek == '/') { s.Pos++; replacement = ProcessUntil(s, '}'); }
                s.Pos++;
                return Replace(value ?? "", pattern, replacement, all);
            }
            default:
                throw WharfException.Invalid($"unsupported modifier ({ch}) in substitution");
        }
    }

    private string ProcessUntil(State s, char first, char second)
    {
        var a = s.Text.IndexOf(first, s.Pos);
        var b = s.Text.IndexOf(second, s.Pos);
        if (b < 0) throw WharfException.Invalid("syntax error: missing '}'");
        return ProcessUntil(s, a >= 0 && a < b ? first : second);
    }

    private static string TrimPattern(string value, string pattern, bool prefix, bool greedy)
    {
        if (prefix)
        {
            var m = Regex.Match(value, "^" + GlobToRegex(pattern, greedy), RegexOptions.Singleline);
            return m.Success ? value[m.Length..] : value;
        }
        var whole = new Regex("^" + GlobToRegex(pattern, true) + "$", RegexOptions.Singleline);
        // '%' removes the shortest matching suffix, '%%' the longest
        if (greedy)
        {
            for (var i = 0; i <= value.Length; i++)
                if (whole.IsMatch(value[i..])) return value[..i];
        }
        else
        {
            for (var i = value.Length; i >= 0; i--)
                if (whole.IsMatch(value[i..])) return value[..i];
        }
        return value;
    }

    private static string Replace(string value, string pattern, string replacement, bool all)
    {
        if (pattern.Length == 0) return value;
        var re = new Regex(GlobToRegex(pattern, greedy: true), RegexOptions.Singleline);
        return all ? re.Replace(value, replacement.Replace("$", "$$")) : re.Replace(value, replacement.Replace("$", "$$"), 1);
    }

    private static string GlobToRegex(string glob, bool greedy)
    {
        var sb = new StringBuilder();
        foreach (var c in glob)
            sb.Append(c switch { '*' => greedy ? ".*" : ".*?", '?' => ".", _ => Regex.Escape(c.ToString()) });
        return sb.ToString();
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static string ReadName(State s)
    {
        var start = s.Pos;
        while (!s.AtEnd && (char.IsAsciiLetterOrDigit(s.Peek) || s.Peek == '_')) s.Pos++;
        return s.Text[start..s.Pos];
    }
}
