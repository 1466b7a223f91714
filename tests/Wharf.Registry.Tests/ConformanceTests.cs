using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static Wharf.Registry.Tests.Oci;

namespace Wharf.Registry.Tests;

/// <summary>
/// The OCI distribution-spec conformance workflows (pull, push, content discovery, content management; cases of
/// security-reliability.md §5.2), each run against wharf registry serve AND distribution 2.8 to show the case is
/// right. Where 2.8 legitimately differs (the v1.1 referrers API, tag deletion) the expectation is per server.
/// </summary>
[Collection(RegistriesCollection.Name)]
public sealed class ConformanceTests(Registries registries)
{
    public static TheoryData<string> Servers => new() { "wharf", "distribution" };

    // ---------------- pull ----------------

    [Theory, MemberData(nameof(Servers))]
    public async Task Pull_BaseCheckAndMissingBlob(string server)
    {
        var r = registries[server];
        var v2 = await r.Http.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.Equal("registry/2.0", v2.Headers.GetValues("Docker-Distribution-API-Version").Single());
        var repo = UniqueRepo("pull");
        var missing = DigestOf(RandomBlob(10));
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{repo}/blobs/{missing}"))).StatusCode);
        var get = await r.Http.GetAsync($"/v2/{repo}/blobs/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await ErrorCodeAsync(get));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Pull_BlobHeadGetAndRanges(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("pull");
        var blob = RandomBlob(5000);
        var d = DigestOf(blob);
        await PushBlobAsync(r, repo, blob);
        var head = await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{repo}/blobs/{d}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(d, head.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(5000, head.Content.Headers.ContentLength);
        Assert.Equal(blob, await r.Http.GetByteArrayAsync($"/v2/{repo}/blobs/{d}"));

        var ranged = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{d}");
        ranged.Headers.Range = new RangeHeaderValue(100, 199);
        var part = await r.Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(blob[100..200], await part.Content.ReadAsByteArrayAsync());

        var bad = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{d}");
        bad.Headers.Range = new RangeHeaderValue(9000, 9100);
        // Headers only: 2.8 sends its 416 with the blob's Content-Length and a short body (Go's ServeContent).
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await r.Http.SendAsync(bad, HttpCompletionOption.ResponseHeadersRead)).StatusCode);
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Pull_ManifestByTagAndDigest(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("pull");
        var (digest, json, _) = await PushImageAsync(r, repo, "v1");
        foreach (var reference in new[] { "v1", digest })
        {
            var get = await r.Http.GetAsync($"/v2/{repo}/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(json, await get.Content.ReadAsStringAsync());
            Assert.Equal("application/vnd.oci.image.manifest.v1+json", get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
            var head = await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{repo}/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        }
        var missing = await r.Http.GetAsync($"/v2/{repo}/manifests/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(missing));
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{repo}/manifests/{DigestOf(RandomBlob(4))}"))).StatusCode);

        // "Error codes": a malformed digest is 400 (with a known code in the envelope) or 404.
        var wrong = await r.Http.GetAsync($"/v2/{repo}/manifests/sha256:totallywrong");
        if (!r.IsWharf)
        {
            // distribution 2.8.2 answers 500 here, which the conformance suite's "error codes" case rejects.
            Assert.Equal(HttpStatusCode.InternalServerError, wrong.StatusCode);
            return;
        }
        Assert.True(wrong.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, wrong.StatusCode.ToString());
        if (wrong.StatusCode == HttpStatusCode.BadRequest) Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(wrong));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Pull_DockerSchema2AndManifestListKeepTheirContentType(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("pull");
        var (digest, json, _) = await PushImageAsync(r, repo, "amd64", "application/vnd.docker.distribution.manifest.v2+json");
        var list = $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":[{{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"{digest}\",\"size\":{json.Length},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}";
        var put = await PutManifestAsync(r, repo, "multi", list, "application/vnd.docker.distribution.manifest.list.v2+json");
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var req = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/multi");
        req.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.list.v2+json");
        req.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        var get = await r.Http.SendAsync(req);
        Assert.Equal("application/vnd.docker.distribution.manifest.list.v2+json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(list, await get.Content.ReadAsStringAsync());
        var child = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/{digest}");
        child.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", (await r.Http.SendAsync(child)).Content.Headers.ContentType?.MediaType);
    }

    // ---------------- push ----------------

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_StreamedUpload(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var blob = RandomBlob(70_000);
        var post = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        Assert.NotEmpty(post.Headers.GetValues("Docker-Upload-UUID").Single());
        var patch = await r.Http.PatchAsync(r.Resolve(post), Octets(blob));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal($"0-{blob.Length - 1}", patch.Headers.GetValues("Range").Single());
        var put = await r.Http.PutAsync(AddQuery(r.Resolve(patch), "digest=" + DigestOf(blob)), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.EndsWith($"/v2/{repo}/blobs/{DigestOf(blob)}", r.Resolve(put).AbsolutePath);
        Assert.Equal(blob, await r.Http.GetByteArrayAsync(r.Resolve(put)));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_MonolithicPostAndPut(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var blob = RandomBlob(3000);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/blobs/{DigestOf(blob)}")).StatusCode);
        var post = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/?digest={DigestOf(blob)}", Octets(blob));
        // The spec allows 201 (stored) or 202 (the body is ignored and an upload session starts): Wharf stores it,
        // distribution 2.8 opens a session.
        Assert.Equal(r.IsWharf ? HttpStatusCode.Created : HttpStatusCode.Accepted, post.StatusCode);
        Assert.Equal(r.IsWharf ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/blobs/{DigestOf(blob)}")).StatusCode);

        var layer = RandomBlob(4000);
        var session = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var put = await r.Http.PutAsync(AddQuery(r.Resolve(session), "digest=" + DigestOf(layer)), Octets(layer));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(DigestOf(layer), put.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(layer, await r.Http.GetByteArrayAsync($"/v2/{repo}/blobs/{DigestOf(layer)}"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_ChunkedUploadEnforcesOrder(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var blob = RandomBlob(10_000);
        var c1 = blob[..6000];
        var c2 = blob[6000..];
        var post = await r.Http.SendAsync(new(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/") { Content = new ByteArrayContent([]) });
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var loc = r.Resolve(post);

        HttpRequestMessage Chunk(Uri u, byte[] data, long start)
        {
            var c = Octets(data);
            var m = new HttpRequestMessage(HttpMethod.Patch, u) { Content = c };
            m.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + data.Length - 1}");
            return m;
        }

        if (!r.IsWharf)
        {
            // distribution 2.8 does not check Content-Range (order enforcement came with 3.0): an out-of-order chunk
            // is appended. The conformance suite's chunked case fails on 2.8 for this reason.
            Assert.Equal(HttpStatusCode.Accepted, (await r.Http.SendAsync(Chunk(loc, c2, 6000))).StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await r.Http.SendAsync(Chunk(loc, c2, 6000))).StatusCode);
        var p1 = await r.Http.SendAsync(Chunk(loc, c1, 0));
        Assert.Equal(HttpStatusCode.Accepted, p1.StatusCode);
        Assert.Equal("0-5999", p1.Headers.GetValues("Range").Single());
        loc = r.Resolve(p1);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await r.Http.SendAsync(Chunk(loc, c1, 0))).StatusCode);

        var status = await r.Http.GetAsync(loc);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-5999", status.Headers.GetValues("Range").Single());
        Assert.NotNull(status.Headers.Location);

        var p2 = await r.Http.SendAsync(Chunk(loc, c2, 6000));
        Assert.Equal(HttpStatusCode.Accepted, p2.StatusCode);
        Assert.Equal("0-9999", p2.Headers.GetValues("Range").Single());
        var put = await r.Http.PutAsync(AddQuery(r.Resolve(p2), "digest=" + DigestOf(blob)), new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await r.Http.GetByteArrayAsync($"/v2/{repo}/blobs/{DigestOf(blob)}"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_WrongDigestCommitsNothing(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var blob = RandomBlob(2000);
        var claimed = DigestOf(RandomBlob(2000));
        var mono = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/?digest={claimed}", Octets(blob));
        if (r.IsWharf)
        {
            Assert.Equal(HttpStatusCode.BadRequest, mono.StatusCode);
            Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(mono));
        }
        else
        {
            Assert.Equal(HttpStatusCode.Accepted, mono.StatusCode); // 2.8 ignores a monolithic POST body (see above)
        }

        var post = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var put = await r.Http.PutAsync(AddQuery(r.Resolve(post), "digest=" + claimed), Octets(blob));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(put));
        foreach (var d in new[] { claimed, DigestOf(blob) })
            Assert.Equal(HttpStatusCode.NotFound, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{repo}/blobs/{d}"))).StatusCode);
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_CancelUpload(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var post = await r.Http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var loc = r.Resolve(post);
        Assert.Equal(HttpStatusCode.NoContent, (await r.Http.DeleteAsync(loc)).StatusCode);
        var gone = await r.Http.GetAsync(loc);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await ErrorCodeAsync(gone));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_CrossRepositoryMount(string server)
    {
        var r = registries[server];
        var from = UniqueRepo("mount");
        var to = UniqueRepo("mount");
        var blob = RandomBlob(1234);
        var d = DigestOf(blob);
        await PushBlobAsync(r, from, blob);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/{to}/blobs/{d}"))).StatusCode);

        var noFrom = await r.Http.PostAsync($"/v2/{to}/blobs/uploads/?mount={DigestOf(RandomBlob(3))}", null);
        Assert.Equal(HttpStatusCode.Accepted, noFrom.StatusCode);
        Assert.Contains("/blobs/uploads/", r.Resolve(noFrom).AbsolutePath);

        var mount = await r.Http.PostAsync($"/v2/{to}/blobs/uploads/?mount={d}&from={from}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/{to}/blobs/{d}", r.Resolve(mount).AbsolutePath);
        Assert.Equal(blob, await r.Http.GetByteArrayAsync($"/v2/{to}/blobs/{d}"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_ManifestsToTagsAndMissingReferences(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/manifests/test0")).StatusCode);
        var (digest, json, _) = await PushImageAsync(r, repo, "test0");
        foreach (var tag in new[] { "test1", "test2", "test3" })
        {
            var put = await PutManifestAsync(r, repo, tag, json, "application/vnd.oci.image.manifest.v1+json");
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.EndsWith($"/v2/{repo}/manifests/{digest}", r.Resolve(put).AbsolutePath);
            Assert.Equal(digest, put.Headers.GetValues("Docker-Content-Digest").Single());
        }
        Assert.Equal(HttpStatusCode.OK, (await r.Http.GetAsync($"/v2/{repo}/manifests/{digest}")).StatusCode);

        // A manifest without layers is fine.
        var cfg = Encoding.UTF8.GetBytes("{}");
        await PushBlobAsync(r, repo, cfg);
        var empty = ImageManifest(DigestOf(cfg), 2, []);
        Assert.Equal(HttpStatusCode.Created, (await PutManifestAsync(r, repo, "empty", empty, "application/vnd.oci.image.manifest.v1+json")).StatusCode);

        // Missing layer → MANIFEST_BLOB_UNKNOWN and nothing stored.
        var bad = ImageManifest(DigestOf(cfg), 2, [(DigestOf(RandomBlob(9)), 9)]);
        var res = await PutManifestAsync(r, repo, "bad", bad, "application/vnd.oci.image.manifest.v1+json");
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await ErrorCodeAsync(res));
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/manifests/bad")).StatusCode);

        // Digest reference that does not match the body.
        var mismatch = await PutManifestAsync(r, repo, DigestOf(RandomBlob(5)), empty, "application/vnd.oci.image.manifest.v1+json");
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(mismatch));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_OciIndexNeedsItsChildren(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var (digest, json, _) = await PushImageAsync(r, repo, "child");
        string Index(string d, int size) => $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{d}\",\"size\":{size}}}]}}";
        var ok = await PutManifestAsync(r, repo, "index", Index(digest, json.Length), "application/vnd.oci.image.index.v1+json");
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var get = await r.Http.GetAsync($"/v2/{repo}/manifests/index");
        Assert.Equal("application/vnd.oci.image.index.v1+json", get.Content.Headers.ContentType?.MediaType);
        var missing = await PutManifestAsync(r, repo, "broken", Index(DigestOf(RandomBlob(8)), 100), "application/vnd.oci.image.index.v1+json");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await ErrorCodeAsync(missing));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Push_ManifestOverFourMiBIsRefused(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("push");
        var (_, json, _) = await PushImageAsync(r, repo, "base");
        // Pad with an annotation so the body is valid JSON just over 4 MiB.
        var big = json[..^1] + ",\"annotations\":{\"pad\":\"" + new string('x', (4 << 20) + 16) + "\"}}";
        var res = await PutManifestAsync(r, repo, "big", big, "application/vnd.oci.image.manifest.v1+json");
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await ErrorCodeAsync(res));
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/manifests/big")).StatusCode);
    }

    // ---------------- content discovery ----------------

    [Theory, MemberData(nameof(Servers))]
    public async Task Discovery_TagsListPaginates(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("disc");
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/tags/list")).StatusCode);
        var (_, json, _) = await PushImageAsync(r, repo, "a");
        foreach (var t in new[] { "b", "c", "d", "e" })
            await PutManifestAsync(r, repo, t, json, "application/vnd.oci.image.manifest.v1+json");
        // The spec wants lexical order; 2.8 sorts only when paginating.
        var all = await TagsAsync(r, $"/v2/{repo}/tags/list");
        Assert.Equal(["a", "b", "c", "d", "e"], r.IsWharf ? all : [.. all.Order(StringComparer.Ordinal)]);
        var first = await r.Http.GetAsync($"/v2/{repo}/tags/list?n=2");
        if (!r.IsWharf)
        {
            // distribution 2.8.2 ignores n and last on tags/list (pagination came with 3.0).
            Assert.Equal(5, Tags(await first.Content.ReadAsStringAsync()).Length);
            return;
        }
        Assert.Equal(["a", "b"], Tags(await first.Content.ReadAsStringAsync()));
        Assert.Contains("rel=\"next\"", first.Headers.GetValues("Link").Single());
        Assert.Equal(["c", "d"], await TagsAsync(r, $"/v2/{repo}/tags/list?n=2&last=b"));
        var tail = await r.Http.GetAsync($"/v2/{repo}/tags/list?n=2&last=d");
        Assert.Equal(["e"], Tags(await tail.Content.ReadAsStringAsync()));
        Assert.False(tail.Headers.Contains("Link"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Discovery_Catalog(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("catalog");
        await PushImageAsync(r, repo, "v1");
        using var doc = JsonDocument.Parse(await r.Http.GetStringAsync("/v2/_catalog?n=1000"));
        Assert.Contains(repo, doc.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()));
        var page = await r.Http.GetAsync("/v2/_catalog?n=1");
        using var one = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
        Assert.Equal(1, one.RootElement.GetProperty("repositories").GetArrayLength());
        Assert.Contains("rel=\"next\"", page.Headers.GetValues("Link").Single());
    }

    private static async Task<string[]> TagsAsync(RegistryTarget r, string url) => Tags(await r.Http.GetStringAsync(url));

    private static string[] Tags(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("tags").ValueKind == JsonValueKind.Null ? [] : [.. doc.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!)];
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Discovery_Referrers(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("disc");
        var (subject, subjectJson, _) = await PushImageAsync(r, repo, "subject");
        var empty = Encoding.UTF8.GetBytes("{}");
        await PushBlobAsync(r, repo, empty);
        var sigs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var type = i < 2 ? "application/vnd.example.sig" : "application/vnd.example.sbom";
            var m = ImageManifest(DigestOf(empty), 2, [], configType: "application/vnd.oci.empty.v1+json", subject: subject, subjectSize: subjectJson.Length, artifactType: type, annotation: "n" + i);
            var put = await PutManifestAsync(r, repo, DigestOf(Encoding.UTF8.GetBytes(m)), m, "application/vnd.oci.image.manifest.v1+json");
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            sigs.Add(DigestOf(Encoding.UTF8.GetBytes(m)));
            if (r.IsWharf) Assert.Equal(subject, put.Headers.GetValues("OCI-Subject").Single());
        }
        var res = await r.Http.GetAsync($"/v2/{repo}/referrers/{subject}");
        if (!r.IsWharf)
        {
            // distribution 2.8 predates distribution-spec v1.1: no referrers API (clients fall back to tag schema).
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("application/vnd.oci.image.index.v1+json", res.Content.Headers.ContentType?.MediaType);
        using (var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync()))
        {
            var ms = doc.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal(3, ms.Count);
            Assert.Equal(sigs.Order(StringComparer.Ordinal), ms.Select(m => m.GetProperty("digest").GetString()!).Order(StringComparer.Ordinal));
            Assert.All(ms, m => Assert.StartsWith("n", m.GetProperty("annotations").GetProperty("org.example.note").GetString(), StringComparison.Ordinal));
        }
        var filtered = await r.Http.GetAsync($"/v2/{repo}/referrers/{subject}?artifactType=application/vnd.example.sig");
        Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
        using (var doc = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync()))
            Assert.Equal(2, doc.RootElement.GetProperty("manifests").GetArrayLength());
        var none = await r.Http.GetAsync($"/v2/{repo}/referrers/{DigestOf(RandomBlob(7))}");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        using (var doc = JsonDocument.Parse(await none.Content.ReadAsStringAsync()))
            Assert.Equal(0, doc.RootElement.GetProperty("manifests").GetArrayLength());
        // Deleting a referrer removes it from the list.
        Assert.Equal(HttpStatusCode.Accepted, (await r.Http.DeleteAsync($"/v2/{repo}/manifests/{sigs[0]}")).StatusCode);
        using (var doc = JsonDocument.Parse(await r.Http.GetStringAsync($"/v2/{repo}/referrers/{subject}")))
            Assert.Equal(2, doc.RootElement.GetProperty("manifests").GetArrayLength());
    }

    // ---------------- content management ----------------

    [Theory, MemberData(nameof(Servers))]
    public async Task Management_DeleteTagManifestAndBlob(string server)
    {
        var r = registries[server];
        var repo = UniqueRepo("mgmt");
        var (digest, json, layer) = await PushImageAsync(r, repo, "keep");
        await PutManifestAsync(r, repo, "drop", json, "application/vnd.oci.image.manifest.v1+json");

        var delTag = await r.Http.DeleteAsync($"/v2/{repo}/manifests/drop");
        if (r.IsWharf)
        {
            Assert.Equal(HttpStatusCode.Accepted, delTag.StatusCode);
            Assert.Equal(["keep"], await TagsAsync(r, $"/v2/{repo}/tags/list"));
        }
        else
        {
            // distribution 2.8 deletes manifests by digest only; the conformance suite accepts 400 UNSUPPORTED / 405.
            Assert.True(delTag.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed or HttpStatusCode.Accepted, delTag.StatusCode.ToString());
        }

        Assert.Equal(HttpStatusCode.Accepted, (await r.Http.DeleteAsync($"/v2/{repo}/manifests/{digest}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/manifests/{digest}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/manifests/keep")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.DeleteAsync($"/v2/{repo}/manifests/{digest}")).StatusCode);
        var tags = await r.Http.GetAsync($"/v2/{repo}/tags/list");
        Assert.True(tags.StatusCode == HttpStatusCode.NotFound || Tags(await tags.Content.ReadAsStringAsync()).Length == 0);

        Assert.Equal(HttpStatusCode.Accepted, (await r.Http.DeleteAsync($"/v2/{repo}/blobs/{layer}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.GetAsync($"/v2/{repo}/blobs/{layer}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await r.Http.DeleteAsync($"/v2/{repo}/blobs/{layer}")).StatusCode);
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Errors_InvalidNameAndEnvelope(string server)
    {
        var r = registries[server];
        var res = await r.Http.GetAsync("/v2/UPPER/case/tags/list");
        Assert.True(res.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, res.StatusCode.ToString());
        if (res.StatusCode == HttpStatusCode.BadRequest) Assert.Equal("NAME_INVALID", await ErrorCodeAsync(res));
        var blob = await r.Http.GetAsync($"/v2/{UniqueRepo("err")}/blobs/sha256:abc");
        Assert.True(blob.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, blob.StatusCode.ToString());
        Assert.Equal("application/json", blob.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(await ErrorCodeAsync(blob));
    }
}
