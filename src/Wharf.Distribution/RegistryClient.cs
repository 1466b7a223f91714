using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text.Json;
using Wharf.Core;

namespace Wharf.Distribution;

/// <summary>
/// The HTTP side of talking to registries: one pooled client for verified TLS and one for insecure registries
/// (certificate not checked, as dockerd does for them), the https-then-http choice per insecure host, and
/// <see cref="RepositorySession"/>s that carry a repository's credentials through Docker's token flow.
/// Thread-safe.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _strict;
    private readonly HttpClient _lax;
    private readonly ConcurrentDictionary<string, Uri> _baseByHost = new(StringComparer.OrdinalIgnoreCase);

    public RegistryClient(RegistryOptions? options = null, TimeSpan? connectTimeout = null)
    {
        Options = options ?? RegistryOptions.Default;
        var timeout = connectTimeout ?? TimeSpan.FromSeconds(15);
        _strict = new HttpClient(NewHandler(timeout, verify: true)) { Timeout = Timeout.InfiniteTimeSpan };
        _lax = new HttpClient(NewHandler(timeout, verify: false)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public RegistryOptions Options { get; }

    private static SocketsHttpHandler NewHandler(TimeSpan connectTimeout, bool verify)
    {
        var h = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // Redirects are followed (blob storage often redirects); .NET drops Authorization on a redirect, so
            // credentials never reach another host that way.
            AllowAutoRedirect = true,
            MaxConnectionsPerServer = 16,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (!verify)
            h.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        return h;
    }

    internal HttpClient ClientFor(Uri uri) => uri.Scheme == "http" || Options.IsInsecure(uri.Authority) ? _lax : _strict;

    /// <summary>Opens a session on repository <paramref name="path"/> of registry <paramref name="baseUri"/> (or of
    /// the domain, when <paramref name="baseUri"/> is null) and pings /v2/ to learn the scheme and auth challenge.</summary>
    public async Task<RepositorySession> OpenAsync(string domain, string path, AuthConfig auth, bool push,
        Uri? baseUri = null, CancellationToken ct = default)
    {
        var session = new RepositorySession(this, baseUri ?? await ResolveBaseAsync(domain, ct), domain, path, auth, push);
        await session.PingAsync(ct);
        return session;
    }

    /// <summary>https://host, or for an insecure registry whichever of https/http answers (remembered per host).</summary>
    internal async Task<Uri> ResolveBaseAsync(string domain, CancellationToken ct)
    {
        var host = RegistryOptions.ApiHost(domain);
        if (_baseByHost.TryGetValue(host, out var known)) return known;
        var https = new Uri("https://" + host);
        if (!Options.IsInsecure(host)) return https;
        try
        {
            using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/v2/"));
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(10));
            using var _ = await _lax.SendAsync(probe, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            _baseByHost[host] = https;
            return https;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var http = new Uri("http://" + host);
            _baseByHost[host] = http;
            return http;
        }
    }

    /// <summary>
    /// docker login: checks <paramref name="auth"/> against the registry's /v2/ (through the token endpoint when the
    /// registry uses bearer tokens). Unauthorized with Docker's wording when the registry refuses them.
    /// </summary>
    /// <returns>The identity token (an OAuth refresh token) when the registry's token server handed one out for
    /// the offline access Docker asks for; the docker CLI stores it instead of the password.</returns>
    public async Task<string?> LoginAsync(string serverAddress, AuthConfig auth, CancellationToken ct = default)
    {
        var domain = NormalizeServerAddress(serverAddress);
        var session = new RepositorySession(this, await ResolveBaseAsync(domain, ct), domain, "", auth, push: false);
        await session.LoginAsync(ct);
        return session.IdentityToken;
    }

    /// <summary>"https://index.docker.io/v1/", "localhost:5000", "http://host:5000/" → the registry domain.</summary>
    public static string NormalizeServerAddress(string? serverAddress)
    {
        var s = (serverAddress ?? "").Trim();
        if (s.Length == 0) return "docker.io";
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) s = s[(scheme + 3)..];
        int slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) s = s[..slash];
        return s is "index.docker.io" or "registry-1.docker.io" or "docker.io" ? "docker.io" : s;
    }

    public void Dispose()
    {
        _strict.Dispose();
        _lax.Dispose();
    }

    /// <summary>Turns a registry's error response into a message: "CODE: message" of the first error, lowercased code
    /// as Docker prints it ("manifest unknown: manifest unknown"), or the HTTP status when the body has none.</summary>
    internal static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string body = "";
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            if (bytes.Length > 64 * 1024) bytes = bytes[..(64 * 1024)];
            body = System.Text.Encoding.UTF8.GetString(bytes);
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var code = first.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
                var message = first.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                return code.Replace('_', ' ').ToLowerInvariant() + ": " + message;
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the status line.
        }
        return $"unexpected status from {response.RequestMessage?.Method} request to {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {response.ReasonPhrase}";
    }
}

/// <summary>
/// Requests on one repository of one registry with its credentials: on a 401 it answers the challenge — Basic with
/// the username/password, Bearer by fetching a token from the realm for this repository's scope (with an identity
/// token: the OAuth2 POST <c>grant_type=refresh_token</c>, falling back to the GET when the token server answers 404
/// or 405, as distribution's token handler does; otherwise the GET with the credentials as Basic auth when there are
/// any) — and retries once. Authorization is only attached to requests for
/// the registry's own host, never to an upload Location or redirect elsewhere. Thread-safe.
/// </summary>
public sealed class RepositorySession
{
    private readonly RegistryClient _client;
    private readonly AuthConfig _auth;
    private readonly List<string> _scopes = [];
    private AuthChallenge? _challenge;
    private volatile string? _authorization;
    private readonly SemaphoreSlim _tokenLock = new(1);
    // docker login asks the token server for offline access (a refresh token it can keep instead of the password).
    private bool _offline;

    internal RepositorySession(RegistryClient client, Uri baseUri, string domain, string path, AuthConfig auth, bool push)
    {
        _client = client;
        BaseUri = baseUri;
        Domain = domain;
        Path = path;
        _auth = auth;
        if (path.Length > 0) _scopes.Add($"repository:{path}:{(push ? "pull,push" : "pull")}");
        if (!string.IsNullOrEmpty(auth.RegistryToken)) _authorization = "Bearer " + auth.RegistryToken;
    }

    public Uri BaseUri { get; }
    public string Domain { get; }
    public string Path { get; }

    /// <summary>The refresh token the token server returned, if it returned one.</summary>
    public string? IdentityToken { get; private set; }

    /// <summary>The client_id Docker sends to token servers.</summary>
    internal const string ClientId = "docker";

    /// <summary>Adds pull access on another repository to the token scope (cross-repository mount).</summary>
    public void AddPullScope(string otherPath)
    {
        var scope = $"repository:{otherPath}:pull";
        lock (_scopes)
        {
            if (_scopes.Contains(scope)) return;
            _scopes.Add(scope);
        }
        _authorization = string.IsNullOrEmpty(_auth.RegistryToken) ? null : _authorization;
    }

    public Uri Url(string relative) => new(BaseUri, "/v2/" + (Path.Length > 0 ? Path + "/" : "") + relative);

    internal async Task PingAsync(CancellationToken ct)
    {
        using var response = await RawSendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "/v2/")), ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized) _challenge = PickChallenge(response);
    }

    internal async Task LoginAsync(CancellationToken ct)
    {
        using (var first = await RawSendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "/v2/")), ct))
        {
            if (first.IsSuccessStatusCode) return; // no auth at all: Docker says "Login Succeeded" too
            if (first.StatusCode != HttpStatusCode.Unauthorized)
                throw new WharfException(ErrorKind.Unavailable, await RegistryClient.ErrorTextAsync(first, ct));
            _challenge = PickChallenge(first);
        }
        _offline = true;
        await AuthorizeAsync(ct);
        using var second = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "/v2/")), ct);
        if (!second.IsSuccessStatusCode)
            throw new WharfException(ErrorKind.Unauthorized,
                $"login attempt to {new Uri(BaseUri, "/v2/")} failed with status: {(int)second.StatusCode} {second.ReasonPhrase}");
    }

    /// <summary>Sends a request (made fresh by <paramref name="make"/> so it can be retried after a 401).</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead)
    {
        var response = await RawSendAsync(Attach(make()), ct, completion);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var challenge = PickChallenge(response);
        response.Dispose();
        if (challenge is null) throw new WharfException(ErrorKind.Unauthorized, "unauthorized: the registry sent no usable authentication challenge");
        _challenge = challenge;
        _authorization = null;
        await AuthorizeAsync(ct);
        return await RawSendAsync(Attach(make()), ct, completion);
    }

    private HttpRequestMessage Attach(HttpRequestMessage request)
    {
        if (_authorization is { } value && request.RequestUri is { } uri &&
            string.Equals(uri.Authority, BaseUri.Authority, StringComparison.OrdinalIgnoreCase))
            request.Headers.TryAddWithoutValidation("Authorization", value);
        return request;
    }

    private Task<HttpResponseMessage> RawSendAsync(HttpRequestMessage request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead)
    {
        request.Headers.UserAgent.ParseAdd("wharf/1.0");
        return _client.ClientFor(request.RequestUri!).SendAsync(request, completion, ct);
    }

    private static AuthChallenge? PickChallenge(HttpResponseMessage response)
    {
        var challenges = response.Headers.WwwAuthenticate.SelectMany(h => WwwAuthenticate.Parse(h.ToString())).ToList();
        return challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
               ?? challenges.FirstOrDefault(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Makes sure a usable Authorization value is ready for the known challenge (no-op without one).</summary>
    private async Task AuthorizeAsync(CancellationToken ct)
    {
        if (_authorization is not null || _challenge is null) return;
        await _tokenLock.WaitAsync(ct);
        try
        {
            if (_authorization is not null) return;
            if (_challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                if (!_auth.HasCredentials) throw Denied("no basic auth credentials");
                _authorization = "Basic " + _auth.BasicValue;
                return;
            }
            if (!string.IsNullOrEmpty(_auth.RegistryToken))
            {
                _authorization = "Bearer " + _auth.RegistryToken;
                return;
            }
            _authorization = "Bearer " + await FetchTokenAsync(_challenge, ct);
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async Task<string> FetchTokenAsync(AuthChallenge challenge, CancellationToken ct)
    {
        var realm = challenge["realm"];
        // The realm is chosen by the registry: only ever an http(s) URL we GET or POST a form to, nothing else.
        if (realm is null || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("http" or "https"))
            throw new WharfException(ErrorKind.Unauthorized, "unauthorized: invalid token realm in the registry's challenge");
        string[] scopes;
        lock (_scopes) scopes = [.. _scopes];
        if (!string.IsNullOrEmpty(_auth.IdentityToken) &&
            await FetchTokenWithRefreshTokenAsync(realmUri, challenge["service"], scopes, ct) is { } oauth)
            return oauth;
        var query = new List<string>();
        if (challenge["service"] is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        foreach (var s in scopes) query.Add("scope=" + Uri.EscapeDataString(s));
        if (!string.IsNullOrEmpty(_auth.Username)) query.Add("account=" + Uri.EscapeDataString(_auth.Username));
        if (_offline) query.AddRange(["offline_token=true", "client_id=" + ClientId]);
        var builder = new UriBuilder(realmUri);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', (existing.Length > 0 ? new[] { existing } : []).Concat(query));
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (_auth.HasCredentials && !string.IsNullOrEmpty(_auth.Username))
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _auth.BasicValue);
        using var response = await RawSendAsync(request, ct, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw Denied(await RegistryClient.ErrorTextAsync(response, ct));
        if (!response.IsSuccessStatusCode)
            throw new WharfException(ErrorKind.Unavailable, "token request failed: " + await RegistryClient.ErrorTextAsync(response, ct));
        return await ReadTokenAsync(response, ct);
    }

    /// <summary>
    /// The OAuth2 form POST distribution's token handler makes with a refresh token (the identity token of an
    /// earlier docker login). Null when the token server does not do OAuth (404/405): the caller falls back to the GET.
    /// </summary>
    private async Task<string?> FetchTokenWithRefreshTokenAsync(Uri realm, string? service, string[] scopes, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", _auth.IdentityToken!),
            new("client_id", ClientId),
        };
        if (service is not null) form.Add(new("service", service));
        if (scopes.Length > 0) form.Add(new("scope", string.Join(' ', scopes)));
        if (_offline) form.Add(new("access_type", "offline"));
        using var request = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        using var response = await RawSendAsync(request, ct, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) return null;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
            throw Denied(await RegistryClient.ErrorTextAsync(response, ct));
        if (!response.IsSuccessStatusCode)
            throw new WharfException(ErrorKind.Unavailable, "token request failed: " + await RegistryClient.ErrorTextAsync(response, ct));
        return await ReadTokenAsync(response, ct);
    }

    /// <summary>The bearer token of a token server's answer (<c>token</c> or <c>access_token</c>); a
    /// <c>refresh_token</c> in it becomes <see cref="IdentityToken"/>.</summary>
    private async Task<string> ReadTokenAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("refresh_token", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } refresh)
                    IdentityToken = refresh;
                foreach (var key in new[] { "token", "access_token" })
                    if (doc.RootElement.TryGetProperty(key, out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } token)
                        return token;
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }
        throw new WharfException(ErrorKind.Unauthorized, "unauthorized: the token endpoint returned no token");
    }

    private WharfException Denied(string detail) => new(ErrorKind.Unauthorized,
        $"unauthorized: authentication required for {Domain}{(Path.Length > 0 ? "/" + Path : "")}: {detail}");
}
