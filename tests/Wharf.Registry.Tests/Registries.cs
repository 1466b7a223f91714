using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Registry.Tests;

/// <summary>One registry under test: its name ("wharf" or "distribution"), base address and an HTTP client.</summary>
public sealed class RegistryTarget(string name, Uri baseAddress)
{
    public string Name { get; } = name;

    public Uri Base { get; } = baseAddress;

    public HttpClient Http { get; } = NewClient(baseAddress);

    /// <summary>Accepts every manifest type, as docker and skopeo do (2.8 hides OCI manifests from clients that do not).</summary>
    private static HttpClient NewClient(Uri baseAddress)
    {
        var c = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        foreach (var t in new[] { "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
                     "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json" })
            c.DefaultRequestHeaders.Accept.ParseAdd(t);
        return c;
    }

    public bool IsWharf => Name == "wharf";

    /// <summary>A Location header made absolute (distribution sends absolute URLs, Wharf paths).</summary>
    public Uri Resolve(HttpResponseMessage res) => new(Base, res.Headers.Location ?? throw new InvalidOperationException("no Location header"));
}

/// <summary>
/// Both registries the conformance cases run against: <c>wharf registry serve</c> (in-process, port 0, temp root)
/// and the reference, distribution 2.8's <c>/usr/bin/docker-registry serve</c> on a free loopback port with its
/// storage under a temp dir and deletes enabled. A missing docker-registry binary fails loudly.
/// </summary>
public sealed class Registries : IAsyncLifetime
{
    public const string DistributionBinary = "/usr/bin/docker-registry";

    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-registry-tests-").FullName;
    private RegistryServer? _wharf;
    private Process? _distribution;

    public RegistryTarget Wharf { get; private set; } = null!;

    public RegistryTarget Distribution { get; private set; } = null!;

    public RegistryTarget this[string name] => name == "wharf" ? Wharf : Distribution;

    public async Task InitializeAsync()
    {
        _wharf = await RegistryServer.StartAsync(new RegistryOptions { Address = "127.0.0.1:0", Root = Path.Combine(_dir, "wharf") });
        Wharf = new RegistryTarget("wharf", _wharf.BaseAddress);
        (_distribution, var uri) = await StartDistributionAsync(Path.Combine(_dir, "distribution"));
        Distribution = new RegistryTarget("distribution", uri);
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task<(Process, Uri)> StartDistributionAsync(string root)
    {
        if (!File.Exists(DistributionBinary))
            throw new InvalidOperationException($"{DistributionBinary} is missing: apt-get install docker-registry (distribution 2.8)");
        Directory.CreateDirectory(root);
        var port = FreePort();
        var config = Path.Combine(root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var psi = new ProcessStartInfo(DistributionBinary, ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true };
        var p = Process.Start(psi)!;
        p.ErrorDataReceived += (_, _) => { };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var uri = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = uri };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync("/v2/")).IsSuccessStatusCode) return (p, uri);
            }
            catch (HttpRequestException) { }
            if (p.HasExited) break;
            await Task.Delay(100);
        }
        if (!p.HasExited) p.Kill();
        throw new InvalidOperationException("docker-registry did not start");
    }

    public async Task DisposeAsync()
    {
        if (_wharf is not null) await _wharf.DisposeAsync();
        if (_distribution is { HasExited: false })
        {
            _distribution.Kill();
            await _distribution.WaitForExitAsync();
        }
        _distribution?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class RegistriesCollection : ICollectionFixture<Registries>
{
    public const string Name = "registries";
}

/// <summary>Blob and manifest builders shared by the cases.</summary>
public static class Oci
{
    public static byte[] RandomBlob(int size) => RandomNumberGenerator.GetBytes(size);

    public static string DigestOf(byte[] b) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(b));

    public static string UniqueRepo(string prefix) => $"{prefix}/r{Guid.NewGuid():N}";

    public static async Task PushBlobAsync(RegistryTarget r, string repo, byte[] blob)
    {
        var post = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var loc = r.Resolve(post);
        var put = await r.Http.PutAsync(AddQuery(loc, "digest=" + DigestOf(blob)), Octets(blob));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public static ByteArrayContent Octets(byte[] b)
    {
        var c = new ByteArrayContent(b);
        c.Headers.ContentType = new("application/octet-stream");
        return c;
    }

    public static Uri AddQuery(Uri u, string q) => new(u + (u.Query.Length > 0 ? "&" : "?") + q);

    public static string ImageManifest(string config, int configSize, IEnumerable<(string Digest, int Size)> layers, string mediaType = "application/vnd.oci.image.manifest.v1+json",
        string configType = "application/vnd.oci.image.config.v1+json", string? subject = null, int subjectSize = 0, string? artifactType = null, string? annotation = null)
    {
        var layerType = mediaType.Contains("docker", StringComparison.Ordinal) ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar";
        var sb = new StringBuilder();
        sb.Append($"{{\"schemaVersion\":2,\"mediaType\":\"{mediaType}\",");
        if (artifactType is not null) sb.Append($"\"artifactType\":\"{artifactType}\",");
        sb.Append($"\"config\":{{\"mediaType\":\"{configType}\",\"digest\":\"{config}\",\"size\":{configSize}}},\"layers\":[");
        sb.AppendJoin(',', layers.Select(l => $"{{\"mediaType\":\"{layerType}\",\"digest\":\"{l.Digest}\",\"size\":{l.Size}}}"));
        sb.Append(']');
        if (subject is not null) sb.Append($",\"subject\":{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{subject}\",\"size\":{subjectSize}}}");
        if (annotation is not null) sb.Append($",\"annotations\":{{\"org.example.note\":\"{annotation}\"}}");
        sb.Append('}');
        return sb.ToString();
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(RegistryTarget r, string repo, string reference, string json, string mediaType)
    {
        var c = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        c.Headers.ContentType = new(mediaType);
        return await r.Http.PutAsync($"/v2/{repo}/manifests/{reference}", c);
    }

    /// <summary>Pushes a config and a layer and an OCI manifest under tag; returns the manifest digest and bytes.</summary>
    public static async Task<(string Digest, string Json, string Layer)> PushImageAsync(RegistryTarget r, string repo, string tag, string mediaType = "application/vnd.oci.image.manifest.v1+json")
    {
        var cfg = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"" + Guid.NewGuid() + "\"}");
        var layer = RandomBlob(1000);
        await PushBlobAsync(r, repo, cfg);
        await PushBlobAsync(r, repo, layer);
        var configType = mediaType.Contains("docker", StringComparison.Ordinal) ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json";
        var json = ImageManifest(DigestOf(cfg), cfg.Length, [(DigestOf(layer), layer.Length)], mediaType, configType);
        var put = await PutManifestAsync(r, repo, tag, json, mediaType);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (DigestOf(Encoding.UTF8.GetBytes(json)), json, DigestOf(layer));
    }

    public static async Task<string?> ErrorCodeAsync(HttpResponseMessage res)
    {
        var body = await res.Content.ReadAsStringAsync();
        if (body.Length == 0) return null;
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
    }
}
