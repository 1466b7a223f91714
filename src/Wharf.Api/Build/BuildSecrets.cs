using System.Text;
using System.Text.Json;

namespace Wharf.Api.Build;

/// <summary>
/// `wharf build --secret`: the legacy POST /build has no way to pass secrets (BuildKit sends them over its session),
/// so wharf's client sends them in one request header of its own, <see cref="HeaderName"/>: base64 of a JSON object
/// id → base64 content. The daemon keeps them in memory for that build only and mounts them for RUN
/// --mount=type=secret; they never enter a layer, the cache key or the log. The header limit (64 KiB) bounds them.
/// </summary>
public static class BuildSecrets
{
    public const string HeaderName = "X-Wharf-Build-Secrets";

    public static string Encode(IReadOnlyDictionary<string, byte[]> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var map = secrets.ToDictionary(kv => kv.Key, kv => Convert.ToBase64String(kv.Value), StringComparer.Ordinal);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(map, ApiJsonContext.Default.DictionaryStringString)));
    }

    /// <summary>The secrets of a header value; <see cref="FormatException"/> when it is not what <see cref="Encode"/> makes.</summary>
    public static Dictionary<string, byte[]> Decode(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        Dictionary<string, string>? map;
        try
        {
            map = JsonSerializer.Deserialize(Convert.FromBase64String(header), ApiJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException e)
        {
            throw new FormatException("secrets header is not a JSON object: " + e.Message, e);
        }

        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, value) in map ?? [])
        {
            if (!IsValidId(id)) throw new FormatException($"invalid secret id \"{id}\"");
            result[id] = Convert.FromBase64String(value);
        }

        return result;
    }

    /// <summary>Ids name files under /run/secrets: no separators, no dot names.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 255 && id is not ("." or "..") && !id.Contains('/', StringComparison.Ordinal) && !id.Contains('\0', StringComparison.Ordinal);
}
