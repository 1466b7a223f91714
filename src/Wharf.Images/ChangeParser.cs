using System.Text.Json;
using Wharf.Core;
using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>
/// Applies `docker import --change` / `docker commit --change` instructions (a Dockerfile subset:
/// CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR) to a run config.
/// </summary>
public static class ChangeParser
{
    public static ImageRunConfig Apply(ImageRunConfig? config, IEnumerable<string>? changes)
    {
        var c = config ?? new ImageRunConfig();
        if (changes is null) return c;
        foreach (var raw in changes)
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int sp = line.IndexOfAny([' ', '\t']);
            var instr = (sp < 0 ? line : line[..sp]).ToUpperInvariant();
            var rest = sp < 0 ? "" : line[(sp + 1)..].Trim();
            c = instr switch
            {
                "CMD" => c with { Cmd = CommandForm(rest) },
                "ENTRYPOINT" => c with { Entrypoint = CommandForm(rest) },
                "ENV" => c with { Env = MergeEnv(c.Env, KeyValues(rest, "ENV")) },
                "LABEL" => c with { Labels = Merge(c.Labels, KeyValues(rest, "LABEL")) },
                "EXPOSE" => c with { ExposedPorts = AddKeys(c.ExposedPorts, Words(rest).Select(p => p.Contains('/', StringComparison.Ordinal) ? p : p + "/tcp")) },
                "VOLUME" => c with { Volumes = AddKeys(c.Volumes, rest.StartsWith('[') ? JsonArray(rest) : Words(rest)) },
                "USER" => c with { User = rest },
                "WORKDIR" => c with { WorkingDir = rest },
                "STOPSIGNAL" => c with { StopSignal = rest },
                "ONBUILD" => c with { OnBuild = [.. c.OnBuild ?? [], rest] },
                _ => throw WharfException.Invalid($"{instr} is not a valid change command"),
            };
        }
        return c;
    }

    private static IReadOnlyList<string> CommandForm(string rest) =>
        rest.StartsWith('[') ? JsonArray(rest) : ["/bin/sh", "-c", rest];

    private static List<string> JsonArray(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw WharfException.Invalid($"invalid JSON array in change: {text}");
        }
    }

    private static IEnumerable<string> Words(string s) => s.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>"k=v k2=\"v 2\"" or the legacy "k v" form.</summary>
    private static List<KeyValuePair<string, string>> KeyValues(string s, string instr)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (!s.Contains('=', StringComparison.Ordinal))
        {
            int sp = s.IndexOfAny([' ', '\t']);
            if (sp < 0) throw WharfException.Invalid($"{instr} requires at least one argument");
            result.Add(new(s[..sp], s[(sp + 1)..].Trim()));
            return result;
        }
        foreach (var token in Tokenize(s))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw WharfException.Invalid($"{instr} names can not be blank");
            result.Add(new(token[..eq], token[(eq + 1)..]));
        }
        return result;
    }

    // Splits on blanks outside quotes and drops the quotes.
    private static List<string> Tokenize(string s)
    {
        var tokens = new List<string>();
        var cur = new System.Text.StringBuilder();
        char quote = '\0';
        bool any = false;
        for (int i = 0; i < s.Length; i++)
        {
            char ch = s[i];
            if (quote != '\0')
            {
                if (ch == quote) quote = '\0';
                else if (ch == '\\' && quote == '"' && i + 1 < s.Length) cur.Append(s[++i]);
                else cur.Append(ch);
            }
            else if (ch is '"' or '\'') { quote = ch; any = true; }
            else if (ch is ' ' or '\t')
            {
                if (any || cur.Length > 0) tokens.Add(cur.ToString());
                cur.Clear();
                any = false;
            }
            else if (ch == '\\' && i + 1 < s.Length) { cur.Append(s[++i]); any = true; }
            else { cur.Append(ch); any = true; }
        }
        if (any || cur.Length > 0) tokens.Add(cur.ToString());
        return tokens;
    }

    private static List<string> MergeEnv(IReadOnlyList<string>? env, List<KeyValuePair<string, string>> add)
    {
        var list = env?.ToList() ?? [];
        foreach (var (k, v) in add)
        {
            int i = list.FindIndex(e => e.StartsWith(k + "=", StringComparison.Ordinal) || e == k);
            var entry = k + "=" + v;
            if (i >= 0) list[i] = entry; else list.Add(entry);
        }
        return list;
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? labels, List<KeyValuePair<string, string>> add)
    {
        var d = labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(labels, StringComparer.Ordinal);
        foreach (var (k, v) in add) d[k] = v;
        return d;
    }

    private static Dictionary<string, object> AddKeys(IReadOnlyDictionary<string, object>? map, IEnumerable<string> keys)
    {
        var d = map is null ? new Dictionary<string, object>(StringComparer.Ordinal) : new Dictionary<string, object>(map, StringComparer.Ordinal);
        foreach (var k in keys) d[k] = new Dictionary<string, object>();
        return d;
    }
}
