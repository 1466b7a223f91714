using System.Text;
using System.Text.Json;

namespace Wharf.Distribution;

/// <summary>Credentials for one registry: Docker's AuthConfig (the X-Registry-Auth header and the POST /auth body).</summary>
public sealed record AuthConfig
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? ServerAddress { get; init; }
    /// <summary>An OAuth refresh token from an earlier login (sent as refresh_token to the token endpoint).</summary>
    public string? IdentityToken { get; init; }
    /// <summary>A bearer token to use as is.</summary>
    public string? RegistryToken { get; init; }

    public static readonly AuthConfig Anonymous = new();

    public bool HasCredentials => !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(IdentityToken) || !string.IsNullOrEmpty(RegistryToken);

    /// <summary>
    /// Decodes an X-Registry-Auth header: base64 of the JSON AuthConfig, in either alphabet (the docker CLI sends
    /// base64url, Docker.DotNet standard base64), padding optional. Like moby, anything undecodable means
    /// "anonymous" rather than an error.
    /// </summary>
    public static AuthConfig DecodeHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return Anonymous;
        var s = header.Trim().Replace('-', '+').Replace('_', '/').TrimEnd('=');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        byte[] json;
        try { json = Convert.FromBase64String(s); }
        catch (FormatException) { return Anonymous; }
        return ParseJson(json) ?? Anonymous;
    }

    /// <summary>Parses the JSON AuthConfig (field names case-insensitive, as Go's encoding/json); null when it is not one.
    /// An "auth" field (base64 "user:password") fills in username and password when they are absent.</summary>
    public static AuthConfig? ParseJson(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            string? Get(string name)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                    if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                        return p.Value.GetString();
                return null;
            }
            var config = new AuthConfig
            {
                Username = Get("username"),
                Password = Get("password"),
                ServerAddress = Get("serveraddress"),
                IdentityToken = Get("identitytoken"),
                RegistryToken = Get("registrytoken"),
            };
            if (string.IsNullOrEmpty(config.Username) && Get("auth") is { Length: > 0 } auth)
            {
                try
                {
                    var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                    int colon = pair.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0) config = config with { Username = pair[..colon], Password = pair[(colon + 1)..] };
                }
                catch (FormatException)
                {
                    // An unusable "auth" field is ignored, as the rest may still be good.
                }
            }
            return config;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The value of a Basic Authorization header for these credentials.</summary>
    internal string BasicValue => Convert.ToBase64String(Encoding.UTF8.GetBytes((Username ?? "") + ":" + (Password ?? "")));
}
