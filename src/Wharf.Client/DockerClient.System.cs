using Wharf.Api;
using Wharf.Api.Daemon;

namespace Wharf.Client;

public sealed partial class DockerClient
{
    public Task<VersionResponse> VersionAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, "/version", ApiJsonContext.Default.VersionResponse, cancellationToken);

    public Task<SystemInfo> InfoAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync(HttpMethod.Get, "/info", ApiJsonContext.Default.SystemInfo, cancellationToken);

    /// <summary>Encodes filters the way the Go CLI does: <c>{"key":{"value":true}}</c>.</summary>
    public static string EncodeFilters(IEnumerable<KeyValuePair<string, string>> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var map = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (key, value) in filters)
        {
            if (!map.TryGetValue(key, out var values))
            {
                values = new Dictionary<string, bool>(StringComparer.Ordinal);
                map[key] = values;
            }

            values[value] = true;
        }

        return System.Text.Json.JsonSerializer.Serialize(map, ApiJsonContext.Default.DictionaryStringDictionaryStringBoolean);
    }
}
