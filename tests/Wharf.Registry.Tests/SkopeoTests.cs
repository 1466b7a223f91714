using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using static Wharf.Registry.Tests.Oci;

namespace Wharf.Registry.Tests;

/// <summary><c>skopeo copy</c> (a real client) from an OCI layout and a docker-archive into the registry and back.</summary>
[Collection(RegistriesCollection.Name)]
public sealed class SkopeoTests(Registries registries) : IDisposable
{
    private const string Skopeo = "/usr/bin/skopeo";
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-registry-skopeo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Servers => ConformanceTests.Servers;

    /// <summary>Writes an OCI image layout with one gzip layer holding /hello.txt, tagged v1; returns the layer digest.</summary>
    private static string WriteLayout(string dir)
    {
        var blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Put(byte[] b)
        {
            var d = DigestOf(b);
            File.WriteAllBytes(Path.Combine(blobs, d[7..]), b);
            return d;
        }
        var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("hello from skopeo " + Guid.NewGuid())) };
            w.WriteEntry(e);
        }
        var diffId = DigestOf(tar.ToArray());
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(tar.ToArray());
        var layerBytes = gz.ToArray();
        var layer = Put(layerBytes);
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{diffId}\"]}}}}");
        var cfg = Put(config);
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{cfg}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layer}\",\"size\":{layerBytes.Length}}}]}}");
        var m = Put(manifest);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(dir, "index.json"), $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{m}\",\"size\":{manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"v1\"}}}}]}}");
        return layer;
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Copy_OciLayoutAndDockerArchive_ThroughTheRegistryAndBack(string server)
    {
        var r = registries[server];
        var src = Path.Combine(_dir, "src");
        var layer = WriteLayout(src);
        var repo = $"{r.Base.Host}:{r.Base.Port}/skopeo/img{Guid.NewGuid():N}";

        await Tools.CheckedAsync(Skopeo, ["--insecure-policy", "copy", "--dest-tls-verify=false", $"oci:{src}:v1", $"docker://{repo}:v1"]);
        var inspect = await Tools.CheckedAsync(Skopeo, ["inspect", "--tls-verify=false", $"docker://{repo}:v1"]);
        using (var doc = JsonDocument.Parse(inspect))
            Assert.Equal([layer], doc.RootElement.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()));

        var back = Path.Combine(_dir, "back");
        await Tools.CheckedAsync(Skopeo, ["--insecure-policy", "copy", "--src-tls-verify=false", $"docker://{repo}:v1", $"oci:{back}:v1"]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "blobs", "sha256", layer[7..])), File.ReadAllBytes(Path.Combine(back, "blobs", "sha256", layer[7..])));

        // docker-archive → registry → docker-archive.
        var archive = Path.Combine(_dir, "img.tar");
        await Tools.CheckedAsync(Skopeo, ["--insecure-policy", "copy", $"oci:{src}:v1", $"docker-archive:{archive}:skopeo/img:v1"]);
        await Tools.CheckedAsync(Skopeo, ["--insecure-policy", "copy", "--dest-tls-verify=false", $"docker-archive:{archive}", $"docker://{repo}:v2"]);
        var manifest = await Tools.CheckedAsync(Skopeo, ["inspect", "--raw", "--tls-verify=false", $"docker://{repo}:v2"]);
        Assert.Contains("application/vnd.docker.distribution.manifest.v2+json", manifest);
        var archive2 = Path.Combine(_dir, "img2.tar");
        await Tools.CheckedAsync(Skopeo, ["--insecure-policy", "copy", "--src-tls-verify=false", $"docker://{repo}:v2", $"docker-archive:{archive2}:skopeo/img:v2"]);
        await using var f = File.OpenRead(archive2);
        using var reader = new TarReader(f);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } e) names.Add(e.Name);
        Assert.Contains("manifest.json", names);
    }
}
