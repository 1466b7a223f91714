using System.Text.Json;
using Wharf.Core;

namespace Wharf.Daemon.Http;

/// <summary>Multi-valued query parameters with moby's conversions (BoolValue, Int64ValueOrZero, filters).</summary>
internal sealed class QueryString
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public static QueryString Parse(string query)
    {
        var q = new QueryString();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string k = Unescape(eq < 0 ? part : part[..eq]);
            string v = eq < 0 ? "" : Unescape(part[(eq + 1)..]);
            if (!q._values.TryGetValue(k, out var list)) q._values[k] = list = [];
            list.Add(v);
        }
        return q;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    public string? Get(string key) => _values.TryGetValue(key, out var l) && l.Count > 0 ? l[0] : null;

    public IReadOnlyList<string> GetAll(string key) => _values.TryGetValue(key, out var l) ? l : [];

    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>moby BoolValue: "", "0", "no", "false", "none" (any case) are false; anything else true; absent = default.</summary>
    public bool Bool(string key, bool defaultValue = false)
    {
        var v = Get(key);
        if (v is null) return defaultValue;
        return v.ToLowerInvariant() is not ("" or "0" or "no" or "false" or "none");
    }

    public long? Long(string key)
    {
        var v = Get(key);
        if (string.IsNullOrEmpty(v)) return null;
        if (!long.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n))
            throw WharfException.Invalid($"invalid value for {key}: {v}");
        return n;
    }

    /// <summary>Parses <c>filters</c> in both encodings: {"k":{"v":true}} (Go CLI, Docker.DotNet) and {"k":["v"]} (docker-py).</summary>
    public Dictionary<string, List<string>> Filters()
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var raw = Get("filters");
        if (string.IsNullOrEmpty(raw)) return result;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(raw); }
        catch (JsonException e) { throw WharfException.Invalid("invalid filter: " + e.Message); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw WharfException.Invalid("invalid filter: expected a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                var list = new List<string>();
                switch (prop.Value.ValueKind)
                {
                    case JsonValueKind.Object:
                        foreach (var v in prop.Value.EnumerateObject())
                            if (v.Value.ValueKind != JsonValueKind.False) list.Add(v.Name);
                        break;
                    case JsonValueKind.Array:
                        foreach (var v in prop.Value.EnumerateArray())
                            list.Add(v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());
                        break;
                    default:
                        throw WharfException.Invalid($"invalid filter: value of '{prop.Name}' must be an object or a list");
                }
                result[prop.Name] = list;
            }
        }
        return result;
    }
}
