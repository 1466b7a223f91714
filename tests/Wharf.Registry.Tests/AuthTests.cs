using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Wharf.Registry.Tests;

/// <summary>htpasswd basic auth, the token flow (own /token endpoint), docker login against both, and TLS.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-registry-auth-").FullName;
    private string _htpasswd = "";

    public async Task InitializeAsync()
    {
        _htpasswd = Path.Combine(_dir, "htpasswd");
        await File.WriteAllTextAsync(_htpasswd, await Tools.CheckedAsync("/usr/bin/htpasswd", ["-Bbn", "alice", "s3cret"]));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private Task<RegistryServer> StartAsync(RegistryAuthMode mode, string? cert = null, string? key = null) =>
        RegistryServer.StartAsync(new RegistryOptions
        {
            Address = "127.0.0.1:0", Root = Path.Combine(_dir, "root-" + Guid.NewGuid().ToString("N")), Auth = mode, HtpasswdFile = _htpasswd,
            TlsCertFile = cert, TlsKeyFile = key,
        });

    private static AuthenticationHeaderValue Basic(string user, string pass) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + pass)));

    [Fact]
    public async Task Basic_ChallengesAndAcceptsHtpasswdUsers()
    {
        await using var server = await StartAsync(RegistryAuthMode.Basic);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var anon = await http.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        Assert.Equal("Basic realm=\"Registry Realm\"", anon.Headers.WwwAuthenticate.ToString());
        Assert.Equal("UNAUTHORIZED", await Oci.ErrorCodeAsync(anon));

        var wrong = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = Basic("alice", "nope") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        for (var i = 0; i < 3; i++) // the second and third hit the credential cache
        {
            var ok = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = Basic("alice", "s3cret") } };
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(ok)).StatusCode);
        }
    }

    [Fact]
    public async Task Token_FlowGrantsTheRequestedScopeOnly()
    {
        await using var server = await StartAsync(RegistryAuthMode.Token);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var anon = await http.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        var challenge = anon.Headers.WwwAuthenticate.ToString();
        Assert.Equal($"Bearer realm=\"{server.BaseAddress}token\",service=\"wharf-registry\",scope=\"repository:team/app:pull,push\"", challenge);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/token?service=wharf-registry&scope=repository:team/app:pull")).StatusCode);
        var badCreds = new HttpRequestMessage(HttpMethod.Get, "/token?service=wharf-registry") { Headers = { Authorization = Basic("alice", "x") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(badCreds)).StatusCode);

        async Task<string> TokenAsync(string scope)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, $"/token?service=wharf-registry&scope={scope}") { Headers = { Authorization = Basic("alice", "s3cret") } };
            var res = await http.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            using var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
            Assert.True(doc.RootElement.GetProperty("expires_in").GetInt32() > 0);
            return doc.RootElement.GetProperty("token").GetString()!;
        }

        var pull = await TokenAsync("repository:team/app:pull");
        var get = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/tags/list") { Headers = { Authorization = new("Bearer", pull) } };
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(get)).StatusCode); // authorized; the repo is just empty
        var push = new HttpRequestMessage(HttpMethod.Post, "/v2/team/app/blobs/uploads/") { Headers = { Authorization = new("Bearer", pull) } };
        var denied = await http.SendAsync(push);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", denied.Headers.WwwAuthenticate.ToString());
        var other = new HttpRequestMessage(HttpMethod.Get, "/v2/team/other/tags/list") { Headers = { Authorization = new("Bearer", pull) } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(other)).StatusCode);

        var pushToken = await TokenAsync("repository:team/app:pull,push");
        var ok = new HttpRequestMessage(HttpMethod.Post, "/v2/team/app/blobs/uploads/") { Headers = { Authorization = new("Bearer", pushToken) } };
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(ok)).StatusCode);

        // Cross-repository mount needs pull on the source: without it the mount becomes an ordinary upload (202).
        var blob = Oci.RandomBlob(64);
        var seed = new HttpRequestMessage(HttpMethod.Post, $"/v2/team/app/blobs/uploads/?digest={Oci.DigestOf(blob)}") { Content = Oci.Octets(blob), Headers = { Authorization = new("Bearer", pushToken) } };
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(seed)).StatusCode);
        var otherPush = await TokenAsync("repository:team/other:pull,push");
        var mount = new HttpRequestMessage(HttpMethod.Post, $"/v2/team/other/blobs/uploads/?mount={Oci.DigestOf(blob)}&from=team/app") { Headers = { Authorization = new("Bearer", otherPush) } };
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(mount)).StatusCode);
        var both = await TokenAsync("repository:team/other:pull,push%20repository:team/app:pull");
        var mount2 = new HttpRequestMessage(HttpMethod.Post, $"/v2/team/other/blobs/uploads/?mount={Oci.DigestOf(blob)}&from=team/app") { Headers = { Authorization = new("Bearer", both) } };
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(mount2)).StatusCode);

        var forged = pushToken[..^2] + (pushToken[^2] == 'A' ? "BB" : "AA");
        var bad = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = new("Bearer", forged) } };
        var badRes = await http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.Unauthorized, badRes.StatusCode);
        Assert.Contains("invalid_token", badRes.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Token_OfflineAccessIssuesARefreshTokenForTheOAuthPostGrant()
    {
        await using var server = await StartAsync(RegistryAuthMode.Token);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var login = new HttpRequestMessage(HttpMethod.Get, "/token?service=wharf-registry&offline_token=true&client_id=docker") { Headers = { Authorization = Basic("alice", "s3cret") } };
        var res = await http.SendAsync(login);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        string refresh;
        using (var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync()))
            refresh = doc.RootElement.GetProperty("refresh_token").GetString()!;
        // Without offline_token there is no refresh token.
        var plain = new HttpRequestMessage(HttpMethod.Get, "/token?service=wharf-registry") { Headers = { Authorization = Basic("alice", "s3cret") } };
        using (var doc = JsonDocument.Parse(await (await http.SendAsync(plain)).Content.ReadAsStringAsync()))
            Assert.False(doc.RootElement.TryGetProperty("refresh_token", out _));

        // A refresh token is not a bearer token for /v2/.
        var asBearer = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = new("Bearer", refresh) } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(asBearer)).StatusCode);

        Task<HttpResponseMessage> Grant(params (string, string)[] form) =>
            http.PostAsync("/token", new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
        var granted = await Grant(("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", "docker"),
            ("service", "wharf-registry"), ("scope", "repository:team/app:pull,push repository:team/base:pull"));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        string access;
        using (var doc = JsonDocument.Parse(await granted.Content.ReadAsStringAsync()))
            access = doc.RootElement.GetProperty("access_token").GetString()!;
        var push = new HttpRequestMessage(HttpMethod.Post, "/v2/team/app/blobs/uploads/") { Headers = { Authorization = new("Bearer", access) } };
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(push)).StatusCode);
        var pullBase = new HttpRequestMessage(HttpMethod.Get, "/v2/team/base/tags/list") { Headers = { Authorization = new("Bearer", access) } };
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(pullBase)).StatusCode); // authorized; nothing there

        // An access token is not a refresh token; a forged one and an unknown grant are refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Grant(("grant_type", "refresh_token"), ("refresh_token", access))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Grant(("grant_type", "refresh_token"), ("refresh_token", refresh[..^2] + (refresh[^2] == 'A' ? "BB" : "AA")))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Grant(("grant_type", "client_credentials"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Grant(("grant_type", "password"), ("username", "alice"), ("password", "nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Grant(("grant_type", "password"), ("username", "alice"), ("password", "s3cret"))).StatusCode);
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task DockerLogin_Works(RegistryAuthMode mode)
    {
        await using var server = await StartAsync(mode);
        var config = Path.Combine(_dir, "docker-" + mode);
        Directory.CreateDirectory(config);
        // No daemon at DOCKER_HOST: the docker CLI then logs in client-side, straight to the registry (cli/command/registry/login.go).
        var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_HOST"] = "unix://" + Path.Combine(_dir, "no-daemon.sock") };
        var host = $"{server.BaseAddress.Host}:{server.BaseAddress.Port}";
        var (code, o, e) = await Tools.RunAsync("/usr/local/bin/docker", ["login", host, "-u", "alice", "--password-stdin"], env, "s3cret\n");
        Assert.True(code == 0, o + e);
        Assert.Contains("Login Succeeded", o);
        Assert.Contains(host, await File.ReadAllTextAsync(Path.Combine(config, "config.json")));
        var (badCode, _, badErr) = await Tools.RunAsync("/usr/local/bin/docker", ["login", host, "-u", "alice", "--password-stdin"], env, "wrong\n");
        Assert.NotEqual(0, badCode);
        Assert.Contains("unauthorized", badErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Tls_ServesWithTheGivenCertificate()
    {
        var cert = Path.Combine(_dir, "cert.pem");
        var key = Path.Combine(_dir, "key.pem");
        await Tools.CheckedAsync("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]);
        await using var server = await StartAsync(RegistryAuthMode.None, cert, key);
        Assert.Equal("https", server.BaseAddress.Scheme);
        using var pem = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(cert);
        var thumb = pem.Thumbprint;
        string? seen = null;
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) => { seen = c?.Thumbprint; return c?.Thumbprint == thumb; },
        }) { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v2/")).StatusCode);
        Assert.Equal(thumb, seen);
        var (code, o, _) = await Tools.RunAsync("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", cert, server.BaseAddress + "v2/"]);
        Assert.Equal(0, code);
        Assert.Equal("200", o);
    }
}
