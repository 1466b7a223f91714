using System.Text;
using System.Text.Json;

namespace Wharf.Build.Parsing;

/// <summary>
/// Splitting of raw argument text the way Docker's parser does before expansion: words break on unquoted
/// whitespace, and quotes and escapes stay in the words (the shell lexer removes them when it expands).
/// </summary>
public static class Words
{
    public static List<string> Split(string text, char escape)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quote == '\0' && char.IsWhiteSpace(ch))
            {
                if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            word.Append(ch);
            if (ch == escape && i + 1 < text.Length && quote != '\'')
            {
                word.Append(text[++i]);
                continue;
            }
            if (quote != '\0') { if (ch == quote) quote = '\0'; }
            else if (ch is '\'' or '"') quote = ch;
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>Whitespace-only splitting (no quote handling), as Docker does for the arguments of EXPOSE or USER.</summary>
    public static string[] SplitWhitespace(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The exec (JSON) form: a JSON array of strings. Anything else, including invalid JSON, is the shell form,
    /// exactly as Docker reads it (no error).
    /// </summary>
    public static List<string>? TryJsonArray(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('[')) return null;
        try
        {
            using var doc = JsonDocument.Parse(trimmed);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return null;
            var list = new List<string>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String) return null;
                list.Add(e.GetString()!);
            }
            return list;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
