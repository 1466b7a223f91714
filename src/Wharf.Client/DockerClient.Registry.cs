using System.Text;
using System.Text.Json;

namespace Wharf.Client;

/// <summary>One line of a pull/push progress stream, read leniently (push's aux carries a number).</summary>
public sealed record ProgressLine(string? Id, string? Status, long Current, long Total);

public sealed partial class DockerClient
{
    /// <summary>base64url of an AuthConfig JSON, as the docker CLI sends X-Registry-Auth ("e30" = {} for anonymous).</summary>
    public static string EncodeRegistryAuth(string? username, string? password, string? serverAddress, string? identityToken = null)
    {
        var fields = new Dictionary<string, string> { ["username"] = username ?? "", ["password"] = password ?? "", ["serveraddress"] = serverAddress ?? "" };
        if (!string.IsNullOrEmpty(identityToken)) fields["identitytoken"] = identityToken;
        var json = username is null && string.IsNullOrEmpty(identityToken)
            ? "{}"
            : JsonSerializer.Serialize(fields, Wharf.Api.ApiJsonContext.Default.DictionaryStringString);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary><c>POST /images/create?fromImage=</c> with credentials; every progress line goes to <paramref name="onLine"/>.</summary>
    public async Task PullImageAsync(string image, string registryAuth, Func<ProgressLine, Task> onLine, string? platform = null,
        CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent([]);
        using var response = await SendAsync(HttpMethod.Post, "/images/create" + Query(("fromImage", image), ("platform", platform)), content,
            cancellationToken, streaming: true, [new("X-Registry-Auth", registryAuth)]).ConfigureAwait(false);
        await ReadLinesAsync(response, onLine, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /images/{name}/push?tag=</c>; every progress line goes to <paramref name="onLine"/>.</summary>
    public async Task PushImageAsync(string name, string? tag, string registryAuth, Func<ProgressLine, Task> onLine, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent([]);
        using var response = await SendAsync(HttpMethod.Post, $"/images/{ImagePath(name)}/push" + Query(("tag", tag)), content,
            cancellationToken, streaming: true, [new("X-Registry-Auth", registryAuth)]).ConfigureAwait(false);
        await ReadLinesAsync(response, onLine, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /auth</c>: the daemon checks the credentials against the registry; returns its Status and
    /// the IdentityToken (empty unless the registry's token server issued one).</summary>
    public async Task<(string Status, string IdentityToken)> LoginAsync(string username, string password, string serverAddress, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["username"] = username, ["password"] = password, ["serveraddress"] = serverAddress },
            Wharf.Api.ApiJsonContext.Default.DictionaryStringString);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await SendAsync(HttpMethod.Post, "/auth", content, cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        string Str(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        return (Str("Status"), Str("IdentityToken"));
    }

    private static async Task ReadLinesAsync(HttpResponseMessage response, Func<ProgressLine, Task> onLine, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(line);
                root = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new DockerStreamException("unexpected line in the daemon's progress stream: " + line);
            }

            string? Str(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            long Num(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
            if (root.TryGetProperty("errorDetail", out var detail) && Str(detail, "message") is { Length: > 0 } message)
            {
                throw new DockerStreamException(message);
            }

            if (Str(root, "error") is { Length: > 0 } error)
            {
                throw new DockerStreamException(error);
            }

            var progress = root.TryGetProperty("progressDetail", out var p) ? p : default;
            await onLine(new ProgressLine(Str(root, "id"), Str(root, "status"), Num(progress, "current"), Num(progress, "total"))).ConfigureAwait(false);
        }
    }
}
