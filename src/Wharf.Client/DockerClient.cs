using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Serialization.Metadata;

namespace Wharf.Client;

/// <summary>
/// Engine API client over a unix socket (or plain TCP). Negotiates the API version with one HEAD /_ping on first
/// use, then prefixes every path with <c>/v{version}</c> like the Go client.
/// </summary>
public sealed partial class DockerClient : IDisposable
{
    /// <summary>The Go client's dummy host; the daemon ignores it, but HTTP/1.1 needs one.</summary>
    public const string HostHeader = "api.moby.localhost";

    public const string ClientApiVersion = "1.50";

    private static readonly Version ClientMaxVersion = new(1, 50);

    private readonly HttpClient _http;
    private readonly string? _pinnedVersion;
    private string? _prefix;

    public DockerClient(DockerEndpoint endpoint, string? apiVersion = null, string userAgent = "wharf-cli")
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        UserAgent = userAgent;
        _pinnedVersion = string.IsNullOrWhiteSpace(apiVersion) ? null : apiVersion.Trim().TrimStart('v');
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
                new NetworkStream(await EndpointConnector.ConnectAsync(endpoint, ct).ConfigureAwait(false), ownsSocket: true),
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri("http://" + HostHeader),
            // Waits, log follows and attaches last as long as the container; callers cancel instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(userAgent.Split('/')[0], userAgent.Contains('/', StringComparison.Ordinal) ? userAgent.Split('/')[1] : null));
    }

    public DockerEndpoint Endpoint { get; }

    public string UserAgent { get; }

    /// <summary>The API version in use once negotiated (or pinned).</summary>
    public string? ApiVersion { get; private set; }

    /// <summary>HEAD /_ping: returns the daemon's Api-Version header (1.24 when absent, as the Go client assumes).</summary>
    public async Task<string> PingAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/_ping");
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed || (int)response.StatusCode >= 400 && response.StatusCode != HttpStatusCode.InternalServerError)
        {
            using var retry = new HttpRequestMessage(HttpMethod.Get, "/_ping");
            using var second = await SendRawAsync(retry, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            await ThrowIfErrorAsync(second, cancellationToken).ConfigureAwait(false);
            return HeaderVersion(second) ?? "1.24";
        }

        await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return HeaderVersion(response) ?? "1.24";
    }

    public void Dispose() => _http.Dispose();

    private static string? HeaderVersion(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Api-Version", out var values) ? values.FirstOrDefault() : null;

    private async ValueTask<string> PrefixAsync(CancellationToken cancellationToken)
    {
        if (_prefix is not null)
        {
            return _prefix;
        }

        var version = _pinnedVersion;
        if (version is null)
        {
            var daemon = await PingAsync(cancellationToken).ConfigureAwait(false);
            version = Version.TryParse(daemon, out var parsed) && parsed < ClientMaxVersion ? daemon : ClientApiVersion;
        }

        ApiVersion = version;
        _prefix = "/v" + version;
        return _prefix;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (FindInner<DaemonUnreachableException>(ex) is { } unreachable)
        {
            throw unreachable;
        }
    }

    private static T? FindInner<T>(Exception ex)
        where T : Exception
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>Sends a versioned request and throws <see cref="DockerApiException"/> on an error status.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken cancellationToken, bool streaming = false,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var prefix = await PrefixAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, prefix + pathAndQuery) { Content = content };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await SendRawAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        return response;
    }

    private async Task SendAndForgetAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, pathAndQuery, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> GetJsonAsync<T>(HttpMethod method, string pathAndQuery, JsonTypeInfo<T> type, CancellationToken cancellationToken, HttpContent? content = null)
    {
        using var response = await SendAsync(method, pathAndQuery, content, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await System.Text.Json.JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"the daemon answered {pathAndQuery} with null");
        }
    }

    /// <summary>GET of any path, returning the raw JSON text (for `inspect`, which prints what the daemon sent).</summary>
    public async Task<string> GetRawJsonAsync(string pathAndQuery, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, null, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if ((int)response.StatusCode < 400)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new DockerApiException(response.StatusCode, ErrorText.FromBody(body, (int)response.StatusCode));
    }

    private static ByteArrayContent JsonBody<T>(T value, JsonTypeInfo<T> type)
    {
        // A byte array gives a Content-Length; the Go daemon accepts chunked bodies too, but not every endpoint
        // of every daemon does (moby rejects chunked container-start bodies).
        var content = new ByteArrayContent(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string Bool(bool value) => value ? "1" : "0";

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            sb.Append(sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Escape(value));
        }

        return sb.ToString();
    }
}
