namespace Wharf.Distribution;

/// <summary>One challenge of a WWW-Authenticate header (RFC 7235): a scheme and its parameters.</summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? this[string name] => Parameters.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// Parses WWW-Authenticate values such as <c>Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"</c>
/// (distribution's registry/client/auth/challenge parser): scheme names are case-insensitive, parameter values are
/// tokens or quoted strings with backslash escapes, and several challenges may share one header.
/// The realm comes from the registry, so callers treat it as untrusted (it is only ever a URL to GET).
/// </summary>
public static class WwwAuthenticate
{
    public static IReadOnlyList<AuthChallenge> Parse(string? header)
    {
        var result = new List<AuthChallenge>();
        if (string.IsNullOrWhiteSpace(header)) return result;
        int i = 0;
        var s = header;
        while (i < s.Length)
        {
            SkipSpaceAndCommas(s, ref i);
            var scheme = Token(s, ref i);
            if (scheme.Length == 0) break;
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipSpace(s, ref i);
                int save = i;
                var name = Token(s, ref i);
                SkipSpace(s, ref i);
                if (name.Length == 0 || i >= s.Length || s[i] != '=')
                {
                    // Not a parameter: the start of the next challenge (or garbage we stop at).
                    i = save;
                    break;
                }
                i++; // '='
                SkipSpace(s, ref i);
                var value = i < s.Length && s[i] == '"' ? Quoted(s, ref i) : Bare(s, ref i);
                parameters[name] = value;
                SkipSpace(s, ref i);
                if (i < s.Length && s[i] == ',') i++;
            }
            result.Add(new AuthChallenge(scheme, parameters));
        }
        return result;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
    }

    private static void SkipSpaceAndCommas(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',') i++;
    }

    private static string Token(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && IsTokenChar(s[i])) i++;
        return s[start..i];
    }

    /// <summary>An unquoted value: lenient (registries send realm=https://… unquoted), up to a comma or space.</summary>
    private static string Bare(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && s[i] is not (',' or ' ' or '\t')) i++;
        return s[start..i];
    }

    private static bool IsTokenChar(char c) =>
        c > ' ' && c < 127 && c is not ('(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=' or '{' or '}');

    private static string Quoted(string s, ref int i)
    {
        var sb = new System.Text.StringBuilder();
        i++; // opening quote
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length) i++;
            sb.Append(s[i]);
            i++;
        }
        if (i < s.Length) i++; // closing quote
        return sb.ToString();
    }
}
