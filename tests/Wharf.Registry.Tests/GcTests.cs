using System.Net;
using System.Text;
using static Wharf.Registry.Tests.Oci;

namespace Wharf.Registry.Tests;

/// <summary>Garbage collection: what is marked, what is swept, the grace period, dry runs, uploads in progress, and
/// the periodic collector of a serving registry.</summary>
public sealed class GcTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-registry-gc-").FullName;
    private RegistryServer _server = null!;
    private RegistryTarget _r = null!;

    public async Task InitializeAsync()
    {
        _server = await RegistryServer.StartAsync(new RegistryOptions { Address = "127.0.0.1:0", Root = Path.Combine(_dir, "root") });
        _r = new RegistryTarget("wharf", _server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<HttpStatusCode> BlobStatusAsync(string repo, string digest) =>
        (await _r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}"))).StatusCode;

    [Fact]
    public async Task Collect_SweepsOnlyUnreferencedBlobsPastTheGracePeriod()
    {
        const string repo = "gc/app";
        var (image, imageJson, layer) = await PushImageAsync(_r, repo, "v1");
        // An index over the image, and a referrer whose subject is the image.
        var index = $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{image}\",\"size\":{imageJson.Length}}}]}}";
        Assert.Equal(HttpStatusCode.Created, (await PutManifestAsync(_r, repo, "multi", index, "application/vnd.oci.image.index.v1+json")).StatusCode);
        var sigConfig = Encoding.UTF8.GetBytes("{\"sig\":1}");
        await PushBlobAsync(_r, repo, sigConfig);
        var sig = ImageManifest(DigestOf(sigConfig), sigConfig.Length, [], configType: "application/vnd.example.sig", subject: image, subjectSize: imageJson.Length);
        Assert.Equal(HttpStatusCode.Created, (await PutManifestAsync(_r, repo, DigestOf(Encoding.UTF8.GetBytes(sig)), sig, "application/vnd.oci.image.manifest.v1+json")).StatusCode);
        var orphan = RandomBlob(4096);
        await PushBlobAsync(_r, repo, orphan);

        // Within the grace period nothing goes, not even the orphan (its push may still be under way).
        var kept = GarbageCollector.Collect(_server.Storage, TimeSpan.FromHours(1), dryRun: false);
        Assert.Empty(kept.Swept);

        var dry = GarbageCollector.Collect(_server.Storage, TimeSpan.Zero, dryRun: true);
        Assert.Equal([DigestOf(orphan)], dry.Swept.Select(d => d.ToString()));
        Assert.Equal(HttpStatusCode.OK, await BlobStatusAsync(repo, DigestOf(orphan)));

        var real = GarbageCollector.Collect(_server.Storage, TimeSpan.Zero, dryRun: false);
        Assert.Equal([DigestOf(orphan)], real.Swept.Select(d => d.ToString()));
        Assert.Equal(4096, real.BytesFreed);
        Assert.Equal(HttpStatusCode.NotFound, await BlobStatusAsync(repo, DigestOf(orphan)));
        Assert.Equal(HttpStatusCode.OK, await BlobStatusAsync(repo, layer));
        Assert.Equal(HttpStatusCode.OK, await BlobStatusAsync(repo, DigestOf(sigConfig)));
        foreach (var m in new[] { "v1", "multi", image, DigestOf(Encoding.UTF8.GetBytes(sig)) })
            Assert.Equal(HttpStatusCode.OK, (await _r.Http.GetAsync($"/v2/{repo}/manifests/{m}")).StatusCode);

        // Once the image manifest (and so the index's child and the referrer's subject) is gone, its layer goes too.
        Assert.Equal(HttpStatusCode.Accepted, (await _r.Http.DeleteAsync($"/v2/{repo}/manifests/{DigestOf(Encoding.UTF8.GetBytes(index))}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _r.Http.DeleteAsync($"/v2/{repo}/manifests/{DigestOf(Encoding.UTF8.GetBytes(sig))}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _r.Http.DeleteAsync($"/v2/{repo}/manifests/{image}")).StatusCode);
        var after = GarbageCollector.Collect(_server.Storage, TimeSpan.Zero, dryRun: false);
        Assert.Contains(after.Swept, d => d.ToString() == layer);
        Assert.Equal(HttpStatusCode.NotFound, await BlobStatusAsync(repo, layer));
    }

    [Fact]
    public async Task Collect_LeavesUploadsInProgressAlone()
    {
        const string repo = "gc/upload";
        var blob = RandomBlob(20_000);
        var post = await _r.Http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var patch = await _r.Http.PatchAsync(_r.Resolve(post), Octets(blob[..10_000]));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal(0, GarbageCollector.Collect(_server.Storage, TimeSpan.Zero, dryRun: false).UploadsPurged);
        var put = await _r.Http.PutAsync(AddQuery(_r.Resolve(patch), "digest=" + DigestOf(blob)), Octets(blob[10_000..]));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        // Just committed: the grace period protects it until its manifest arrives.
        Assert.Empty(GarbageCollector.Collect(_server.Storage, TimeSpan.FromMinutes(5), dryRun: false).Swept);
        Assert.Equal(blob, await _r.Http.GetByteArrayAsync($"/v2/{repo}/blobs/{DigestOf(blob)}"));
    }

    [Fact]
    public async Task Serve_WithGcInterval_CollectsWhileServing()
    {
        // Content is pushed first with the collector off: with a zero grace period a collection between a layer
        // push and its manifest would rightly sweep the layer.
        var root = Path.Combine(_dir, "periodic");
        string layer;
        byte[] orphan = RandomBlob(100);
        await using (var seed = await RegistryServer.StartAsync(new RegistryOptions { Address = "127.0.0.1:0", Root = root }))
        {
            var s = new RegistryTarget("wharf", seed.BaseAddress);
            (_, _, layer) = await PushImageAsync(s, "gc/live", "v1");
            await PushBlobAsync(s, "gc/live", orphan);
        }
        await using var server = await RegistryServer.StartAsync(new RegistryOptions
        {
            Address = "127.0.0.1:0", Root = root, GcInterval = TimeSpan.FromMilliseconds(200), GcGrace = TimeSpan.Zero,
        });
        var r = new RegistryTarget("wharf", server.BaseAddress);
        var status = HttpStatusCode.OK;
        for (var i = 0; i < 100 && status == HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
            status = (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/gc/live/blobs/{DigestOf(orphan)}"))).StatusCode;
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.OK, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/gc/live/blobs/{layer}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await r.Http.GetAsync("/v2/gc/live/manifests/v1")).StatusCode);
    }

    [Fact]
    public async Task Collect_PurgesUploadsAbandonedForAWeek()
    {
        var post = await _r.Http.PostAsync("/v2/gc/stale/blobs/uploads/", null);
        var loc = _r.Resolve(post);
        var file = Directory.GetFiles(Path.Combine(_server.Storage.RepoDir("gc/stale"), "_uploads")).Single();
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow - TimeSpan.FromDays(8));
        Assert.Equal(1, GarbageCollector.Collect(_server.Storage, TimeSpan.Zero, dryRun: true).UploadsPurged);
        Assert.True(File.Exists(file));
        Assert.Equal(1, GarbageCollector.Collect(_server.Storage, TimeSpan.Zero, dryRun: false).UploadsPurged);
        Assert.Equal(HttpStatusCode.NotFound, (await _r.Http.GetAsync(loc)).StatusCode);
    }
}
