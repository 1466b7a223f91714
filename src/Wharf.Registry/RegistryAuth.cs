using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Wharf.Registry;

/// <summary>
/// Authentication of <c>wharf registry serve</c>: none, htpasswd basic auth, or Docker's token flow with a token
/// endpoint of its own (<c>GET /token?service=&amp;scope=</c>, basic credentials checked against the htpasswd file,
/// HMAC-SHA256-signed tokens; refresh tokens for docker login's identity token and the OAuth2 POST grants). As with
/// distribution's htpasswd access controller, an authenticated user may do
/// everything: the token carries exactly the scopes asked for.
/// </summary>
public sealed class RegistryAuth
{
    private static readonly TimeSpan CredentialCacheTtl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan RefreshTokenTtl = TimeSpan.FromDays(30);
    private const string RefreshType = "refresh";
    private readonly RegistryOptions _options;
    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);
    private readonly byte[] _key;
    // bcrypt costs ~50-250 ms by design; a verified user:password pair is remembered (as a SHA-256, never in clear)
    // so that a push's hundreds of requests do not each pay it.
    private readonly ConcurrentDictionary<string, DateTime> _verified = new(StringComparer.Ordinal);

    public RegistryAuth(RegistryOptions options, string keyFile)
    {
        _options = options;
        if (options.Auth != RegistryAuthMode.None)
        {
            if (options.HtpasswdFile is null) throw new ArgumentException($"--auth {options.Auth.ToString().ToLowerInvariant()} needs --htpasswd FILE");
            foreach (var line in File.ReadAllLines(options.HtpasswdFile))
            {
                var t = line.Trim();
                if (t.Length == 0 || t.StartsWith('#')) continue;
                var colon = t.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) _users[t[..colon]] = t[(colon + 1)..];
            }
        }
        _key = LoadKey(keyFile);
    }

    /// <summary>The token signing key persists under the root so tokens outlive a restart.</summary>
    private static byte[] LoadKey(string path)
    {
        if (File.Exists(path))
        {
            var k = File.ReadAllBytes(path);
            if (k.Length == 32) return k;
        }
        var key = RandomNumberGenerator.GetBytes(32);
        RegistryStorage.WriteAtomic(path, key);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    public bool CheckPassword(string user, string password)
    {
        if (!_users.TryGetValue(user, out var hash)) return false;
        var cacheKey = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password + "\0" + hash)));
        if (_verified.TryGetValue(cacheKey, out var until) && until > DateTime.UtcNow) return true;
        bool ok;
        try { ok = BCrypt.Net.BCrypt.Verify(password, hash); }
        catch (BCrypt.Net.SaltParseException) { ok = false; }
        if (ok) _verified[cacheKey] = DateTime.UtcNow + CredentialCacheTtl;
        return ok;
    }

    private static (string User, string Password)? BasicCredentials(HttpRequest req)
    {
        var h = req.Headers.Authorization.ToString();
        if (!h.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var s = Encoding.UTF8.GetString(Convert.FromBase64String(h[6..].Trim()));
            var colon = s.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (s[..colon], s[(colon + 1)..]);
        }
        catch (FormatException) { return null; }
    }

    /// <summary>The action a request needs on its repository: pull, push or delete.</summary>
    public static string RequiredAction(string method) => method switch
    {
        "GET" or "HEAD" => "pull",
        "DELETE" => "delete",
        _ => "push",
    };

    /// <summary>
    /// Checks a /v2/ request. Returns null when allowed, else the error to send (its WWW-Authenticate set on the response).
    /// <paramref name="repository"/> is null for the /v2/ base check.
    /// </summary>
    public RegistryError? Authorize(HttpContext ctx, string? repository)
    {
        if (_options.Auth == RegistryAuthMode.None) return null;
        var req = ctx.Request;
        var action = RequiredAction(req.Method);
        if (_options.Auth == RegistryAuthMode.Basic)
        {
            if (BasicCredentials(req) is { } c && CheckPassword(c.User, c.Password)) return null;
            ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"Registry Realm\"";
            return new RegistryError("UNAUTHORIZED", "authentication required");
        }
        var auth = req.Headers.Authorization.ToString();
        string? error = null;
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var claims = VerifyToken(auth[7..].Trim());
            if (claims is not null && (repository is null || Allows(claims.Value, repository, action))) return null;
            error = claims is null ? "invalid_token" : "insufficient_scope";
        }
        var realm = $"{req.Scheme}://{req.Host}/token";
        var challenge = $"Bearer realm=\"{realm}\",service=\"{_options.TokenService}\"";
        if (repository is not null)
        {
            var actions = action == "push" ? "pull,push" : action;
            challenge += $",scope=\"repository:{repository}:{actions}\"";
        }
        if (error is not null) challenge += $",error=\"{error}\"";
        ctx.Response.Headers.WWWAuthenticate = challenge;
        return new RegistryError("UNAUTHORIZED", "authentication required");
    }

    /// <summary>
    /// Whether an already authorized request may also read <paramref name="repository"/> (the <c>from</c> of a
    /// cross-repository mount). With a token, only when it grants pull there, as distribution checks; with basic
    /// auth every user may read everything.
    /// </summary>
    public bool MayPull(HttpContext ctx, string repository)
    {
        if (_options.Auth != RegistryAuthMode.Token) return true;
        var auth = ctx.Request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && VerifyToken(auth[7..].Trim()) is { } claims && Allows(claims, repository, "pull");
    }

    private static bool Allows(JsonElement claims, string repository, string action)
    {
        if (!claims.TryGetProperty("access", out var access) || access.ValueKind != JsonValueKind.Array) return false;
        foreach (var a in access.EnumerateArray())
        {
            if (a.GetProperty("type").GetString() != "repository" || a.GetProperty("name").GetString() != repository) continue;
            foreach (var act in a.GetProperty("actions").EnumerateArray())
            {
                var s = act.GetString();
                if (s == action || s == "*" || (action == "pull" && s == "push")) return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The token endpoint. <c>GET /token?service=&amp;scope=</c> with basic credentials (Docker's token flow), plus
    /// <c>offline_token=true</c> for a refresh token too (docker login's identity token); or the OAuth2 form
    /// <c>POST /token</c> with <c>grant_type=refresh_token</c> (that identity token) or <c>grant_type=password</c>,
    /// scopes space-separated in <c>scope</c>, and <c>access_type=offline</c> for a refresh token.
    /// </summary>
    public async Task IssueTokenAsync(HttpContext ctx)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        if (_options.Auth != RegistryAuthMode.Token) throw new RegistryError("NOT_FOUND", "page not found");
        string user;
        string service;
        IEnumerable<string> scopes;
        bool offline;
        if (HttpMethods.IsPost(req.Method))
        {
            if (!req.HasFormContentType) throw new RegistryError("UNSUPPORTED", "the token endpoint takes an application/x-www-form-urlencoded POST");
            var form = await req.ReadFormAsync().ConfigureAwait(false);
            var grant = form["grant_type"].ToString();
            if (grant == "refresh_token")
            {
                user = VerifyRefreshToken(form["refresh_token"].ToString())
                       ?? throw new RegistryError("UNAUTHORIZED", "invalid refresh token");
            }
            else if (grant == "password")
            {
                user = form["username"].ToString();
                if (!CheckPassword(user, form["password"].ToString())) throw new RegistryError("UNAUTHORIZED", "authentication required");
            }
            else
            {
                throw new RegistryError("UNSUPPORTED", "unsupported grant_type " + grant);
            }
            service = form["service"].ToString();
            scopes = form["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            offline = form["access_type"].ToString() == "offline";
        }
        else if (HttpMethods.IsGet(req.Method))
        {
            if (BasicCredentials(req) is not { } c || !CheckPassword(c.User, c.Password))
            {
                res.Headers.WWWAuthenticate = "Basic realm=\"Registry Token Service\"";
                throw new RegistryError("UNAUTHORIZED", "authentication required");
            }
            user = c.User;
            service = req.Query["service"].ToString();
            scopes = req.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            offline = req.Query["offline_token"].ToString() == "true";
        }
        else
        {
            throw new RegistryError("UNSUPPORTED", "the token endpoint takes GET or POST");
        }
        if (service.Length > 0 && service != _options.TokenService)
            throw new RegistryError("DENIED", "requested access to the resource is denied", "unknown service " + service);
        var now = DateTimeOffset.UtcNow;
        using var payload = new MemoryStream();
        using (var w = new Utf8JsonWriter(payload))
        {
            w.WriteStartObject();
            WriteClaims(w, user, now, TokenTtl);
            w.WriteStartArray("access");
            foreach (var scope in scopes)
            {
                // repository:<name>:<actions>; a name may hold a port-less host path but never a colon.
                var parts = scope.Split(':');
                if (parts.Length != 3 || parts[0] != "repository" || !RegistryStorage.IsValidName(parts[1])) continue;
                w.WriteStartObject();
                w.WriteString("type", "repository");
                w.WriteString("name", parts[1]);
                w.WriteStartArray("actions");
                foreach (var a in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
                    if (a is "pull" or "push" or "delete" or "*") w.WriteStringValue(a);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var token = Sign(payload.ToArray());
        using var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteString("access_token", token);
            w.WriteNumber("expires_in", (int)TokenTtl.TotalSeconds);
            w.WriteString("issued_at", now.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            if (offline) w.WriteString("refresh_token", IssueRefreshToken(user, now));
            w.WriteEndObject();
        }
        res.StatusCode = 200;
        res.ContentType = "application/json";
        res.ContentLength = body.Length;
        await res.Body.WriteAsync(body.ToArray()).ConfigureAwait(false);
    }

    /// <summary>A long-lived token that only the token endpoint accepts (never as a bearer token on /v2/): it names
    /// the user, who must still be in the htpasswd file when it is used.</summary>
    private string IssueRefreshToken(string user, DateTimeOffset now)
    {
        using var payload = new MemoryStream();
        using (var w = new Utf8JsonWriter(payload))
        {
            w.WriteStartObject();
            WriteClaims(w, user, now, RefreshTokenTtl);
            w.WriteString("typ", RefreshType);
            w.WriteEndObject();
        }
        return Sign(payload.ToArray());
    }

    /// <summary>The claims every token of this server carries: issuer, user, audience (the service), issue and expiry time.</summary>
    private void WriteClaims(Utf8JsonWriter w, string user, DateTimeOffset now, TimeSpan ttl)
    {
        w.WriteString("iss", "wharf-registry");
        w.WriteString("sub", user);
        w.WriteString("aud", _options.TokenService);
        w.WriteNumber("iat", now.ToUnixTimeSeconds());
        w.WriteNumber("exp", (now + ttl).ToUnixTimeSeconds());
    }

    /// <summary>The user of a valid, unexpired refresh token who still exists; null otherwise.</summary>
    internal string? VerifyRefreshToken(string token)
    {
        if (VerifySigned(token) is not { } claims) return null;
        if (!claims.TryGetProperty("typ", out var typ) || typ.GetString() != RefreshType) return null;
        var user = claims.TryGetProperty("sub", out var sub) ? sub.GetString() : null;
        return user is not null && _users.ContainsKey(user) ? user : null;
    }

    private string Sign(byte[] payload)
    {
        var p = Base64Url(payload);
        return p + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(p)));
    }

    /// <summary>The claims of a well-signed, unexpired access token for this service; null otherwise (a refresh
    /// token is not an access token).</summary>
    internal JsonElement? VerifyToken(string token) =>
        VerifySigned(token) is { } claims && !claims.TryGetProperty("typ", out _) ? claims : null;

    private JsonElement? VerifySigned(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return null;
        var p = token[..dot];
        byte[] sig;
        byte[] payload;
        try
        {
            sig = FromBase64Url(token[(dot + 1)..]);
            payload = FromBase64Url(p);
        }
        catch (FormatException) { return null; }
        if (!CryptographicOperations.FixedTimeEquals(sig, HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(p)))) return null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement.Clone();
            if (root.GetProperty("exp").GetInt64() < DateTimeOffset.UtcNow.ToUnixTimeSeconds()) return null;
            if (root.GetProperty("aud").GetString() != _options.TokenService) return null;
            return root;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException) { return null; }
    }

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
