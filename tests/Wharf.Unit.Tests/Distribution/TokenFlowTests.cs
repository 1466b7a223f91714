using System.Net;
using System.Net.Sockets;
using System.Text;
using Wharf.Core;
using Wharf.Distribution;

namespace Wharf.Unit.Tests.Distribution;

/// <summary>
/// Docker's token flow against a fake registry on loopback (HttpListener): /v2/ answers 401 with a Bearer challenge,
/// the realm hands out a token for the right Basic credentials and scope, and requests with that token succeed.
/// </summary>
public sealed class TokenFlowTests : IDisposable
{
    private readonly HttpListener _listener;
    private readonly int _port;
    private readonly List<string> _tokenQueries = [];
    private readonly List<string> _tokenForms = [];
    private volatile bool _oauthMissing;
    private readonly CancellationTokenSource _stop = new();

    public TokenFlowTests()
    {
        _listener = LoopbackListener.Start(out _port);
        _ = Task.Run(ServeAsync);
    }

    private string Host => "127.0.0.1:" + _port;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext c;
            try { c = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var path = c.Request.Url!.AbsolutePath;
            var auth = c.Request.Headers["Authorization"];
            if (path == "/token" && c.Request.HttpMethod == "POST")
            {
                // The OAuth2 refresh_token grant, unless this test plays a token server without OAuth.
                using var reader = new StreamReader(c.Request.InputStream);
                var form = await reader.ReadToEndAsync();
                lock (_tokenForms) _tokenForms.Add(form);
                var ok = form.Contains("grant_type=refresh_token", StringComparison.Ordinal) && form.Contains("refresh_token=refresh-1", StringComparison.Ordinal);
                c.Response.StatusCode = _oauthMissing ? 404 : ok ? 200 : 401;
                if (!_oauthMissing) await c.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(ok ? "{\"access_token\":\"tok-1\"}" : "{}"));
            }
            else if (path == "/token")
            {
                lock (_tokenQueries) _tokenQueries.Add(c.Request.Url.Query);
                var ok = auth == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:pw"));
                var offline = c.Request.Url.Query.Contains("offline_token=true", StringComparison.Ordinal);
                c.Response.StatusCode = ok ? 200 : 401;
                var body = Encoding.UTF8.GetBytes(!ok ? "{\"details\":\"bad credentials\"}" : offline ? "{\"token\":\"tok-1\",\"refresh_token\":\"refresh-1\"}" : "{\"token\":\"tok-1\"}");
                await c.Response.OutputStream.WriteAsync(body);
            }
            else if (auth == "Bearer tok-1")
            {
                c.Response.StatusCode = 200;
                await c.Response.OutputStream.WriteAsync("{}"u8.ToArray());
            }
            else
            {
                c.Response.StatusCode = 401;
                c.Response.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://{Host}/token\",service=\"fake-registry\"";
            }
            c.Response.Close();
        }
    }

    [Fact]
    public async Task Login_fetches_a_token_with_the_credentials_and_uses_it()
    {
        using var client = new RegistryClient();
        await client.LoginAsync(Host, new AuthConfig { Username = "alice", Password = "pw" });
        lock (_tokenQueries) Assert.Contains(_tokenQueries, q => q.Contains("service=fake-registry", StringComparison.Ordinal) && q.Contains("account=alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_credentials_are_unauthorized()
    {
        using var client = new RegistryClient();
        var e = await Assert.ThrowsAsync<WharfException>(() => client.LoginAsync(Host, new AuthConfig { Username = "alice", Password = "nope" }));
        Assert.Equal(ErrorKind.Unauthorized, e.Kind);
    }

    [Fact]
    public async Task A_repository_session_asks_for_its_scope_and_retries_with_the_token()
    {
        using var client = new RegistryClient();
        var session = await client.OpenAsync(Host, "team/app", new AuthConfig { Username = "alice", Password = "pw" }, push: true);
        Assert.Equal("http", session.BaseUri.Scheme); // loopback is insecure: https failed, plain http answered
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, session.Url("manifests/latest")), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        lock (_tokenQueries)
            Assert.Contains(_tokenQueries, q => Uri.UnescapeDataString(q).Contains("scope=repository:team/app:pull,push", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_asks_for_offline_access_and_returns_the_refresh_token_as_identity_token()
    {
        using var client = new RegistryClient();
        var identity = await client.LoginAsync(Host, new AuthConfig { Username = "alice", Password = "pw" });
        Assert.Equal("refresh-1", identity);
        lock (_tokenQueries) Assert.Contains(_tokenQueries, q => q.Contains("offline_token=true", StringComparison.Ordinal) && q.Contains("client_id=docker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_identity_token_is_exchanged_with_the_oauth2_refresh_token_grant()
    {
        using var client = new RegistryClient();
        var session = await client.OpenAsync(Host, "team/app", new AuthConfig { Username = "alice", IdentityToken = "refresh-1" }, push: true);
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, session.Url("manifests/latest")), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        lock (_tokenForms)
        {
            var form = Assert.Single(_tokenForms);
            Assert.Contains("client_id=docker", form, StringComparison.Ordinal);
            Assert.Contains("service=fake-registry", form, StringComparison.Ordinal);
            Assert.Contains("scope=repository%3Ateam%2Fapp%3Apull%2Cpush", form, StringComparison.Ordinal);
        }
        lock (_tokenQueries) Assert.Empty(_tokenQueries);

        var denied = await client.OpenAsync(Host, "team/app", new AuthConfig { IdentityToken = "stale" }, push: false);
        var e = await Assert.ThrowsAsync<WharfException>(() => denied.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, denied.Url("manifests/latest")), CancellationToken.None));
        Assert.Equal(ErrorKind.Unauthorized, e.Kind);
    }

    [Fact]
    public async Task A_token_server_without_oauth_gets_the_basic_auth_get_instead()
    {
        _oauthMissing = true;
        using var client = new RegistryClient();
        var session = await client.OpenAsync(Host, "team/app", new AuthConfig { Username = "alice", Password = "pw", IdentityToken = "refresh-1" }, push: false);
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, session.Url("manifests/latest")), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        lock (_tokenForms) Assert.Single(_tokenForms);
        lock (_tokenQueries) Assert.Single(_tokenQueries);
    }

    public void Dispose()
    {
        _stop.Cancel();
        // Close alone: after Stop, the managed HttpListener's Close looks the endpoint up again and binds the port
        // anew to release it, which fails when another test took that port in between ("Address already in use").
        _listener.Close();
        _stop.Dispose();
    }
}
