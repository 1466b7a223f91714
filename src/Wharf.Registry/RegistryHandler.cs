using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Wharf.Oci;

namespace Wharf.Registry;

/// <summary>
/// The Distribution API (OCI distribution-spec v1.1) over <see cref="RegistryStorage"/>. Repository names hold
/// slashes, so routing is done here on the path after /v2/ rather than with route templates.
/// </summary>
public sealed partial class RegistryHandler(RegistryStorage storage, RegistryOptions options, RegistryAuth? auth = null)
{
    /// <summary>distribution's limit on a manifest body.</summary>
    public const int MaxManifestBytes = 4 << 20;

    [GeneratedRegex(@"^(?<name>.+)/(?<kind>tags/list|manifests/(?<ref>[^/]+)|blobs/uploads/?(?<upload>[^/]*)|blobs/(?<digest>[^/]+)|referrers/(?<subject>[^/]+))$")]
    private static partial Regex RouteRegex();

    [GeneratedRegex(@"^([0-9]+)-([0-9]+)$")]
    private static partial Regex ContentRangeRegex();

    public RegistryStorage Storage => storage;

    /// <summary>Parses a /v2/ path into (name, kind, argument); null when it is not an API path.</summary>
    public static (string Name, string Kind, string Arg)? Route(string rest)
    {
        var m = RouteRegex().Match(rest);
        if (!m.Success) return null;
        var name = m.Groups["name"].Value;
        var kind = m.Groups["kind"].Value;
        if (kind == "tags/list") return (name, "tags", "");
        if (m.Groups["ref"].Success) return (name, "manifest", m.Groups["ref"].Value);
        if (m.Groups["upload"].Success && kind.StartsWith("blobs/uploads", StringComparison.Ordinal)) return (name, "upload", m.Groups["upload"].Value);
        if (m.Groups["digest"].Success) return (name, "blob", m.Groups["digest"].Value);
        return (name, "referrers", m.Groups["subject"].Value);
    }

    public async Task HandleAsync(HttpContext ctx, string rest)
    {
        var res = ctx.Response;
        if (rest.Length == 0)
        {
            res.StatusCode = 200;
            res.ContentType = "application/json";
            await res.WriteAsync("{}").ConfigureAwait(false);
            return;
        }
        if (rest == "_catalog" && ctx.Request.Method is "GET")
        {
            var repos = storage.RepositoryNames().ToList();
            repos.Sort(StringComparer.Ordinal);
            await ListPageAsync(ctx, repos, "/v2/_catalog", "repositories", null).ConfigureAwait(false);
            return;
        }
        var route = Route(rest) ?? throw new RegistryError("NOT_FOUND", "page not found");
        if (!RegistryStorage.IsValidName(route.Name)) throw new RegistryError("NAME_INVALID", "invalid repository name", route.Name);
        var method = ctx.Request.Method;
        switch (route.Kind, method)
        {
            case ("blob", "GET" or "HEAD"): await GetBlobAsync(ctx, route.Name, route.Arg).ConfigureAwait(false); break;
            case ("blob", "DELETE"): DeleteBlob(ctx, route.Name, route.Arg); break;
            case ("upload", "POST") when route.Arg.Length == 0: await StartUploadAsync(ctx, route.Name).ConfigureAwait(false); break;
            case ("upload", "PATCH"): await PatchUploadAsync(ctx, route.Name, route.Arg).ConfigureAwait(false); break;
            case ("upload", "PUT"): await PutUploadAsync(ctx, route.Name, route.Arg).ConfigureAwait(false); break;
            case ("upload", "GET"): UploadStatus(ctx, route.Name, route.Arg); break;
            case ("upload", "DELETE"): CancelUpload(ctx, route.Name, route.Arg); break;
            case ("manifest", "GET" or "HEAD"): await GetManifestAsync(ctx, route.Name, route.Arg).ConfigureAwait(false); break;
            case ("manifest", "PUT"): await PutManifestAsync(ctx, route.Name, route.Arg).ConfigureAwait(false); break;
            case ("manifest", "DELETE"): DeleteManifest(ctx, route.Name, route.Arg); break;
            case ("tags", "GET"): await TagsAsync(ctx, route.Name).ConfigureAwait(false); break;
            case ("referrers", "GET"): await ReferrersAsync(ctx, route.Name, route.Arg).ConfigureAwait(false); break;
            default: throw new RegistryError("UNSUPPORTED", "The operation is unsupported.");
        }
    }

    private static Digest ParseDigest(string s, string code = "DIGEST_INVALID")
    {
        if (Digest.TryParse(s, out var d)) return d;
        throw new RegistryError(code, "provided digest did not match uploaded content", "invalid digest " + s);
    }

    // ---- blobs ----

    private async Task GetBlobAsync(HttpContext ctx, string name, string ds)
    {
        var d = ParseDigest(ds);
        if (!storage.HasBlob(name, d)) throw RegistryError.BlobUnknown(ds);
        var res = ctx.Response;
        var path = storage.Content.BlobPath(d);
        res.Headers["Docker-Content-Digest"] = d.ToString();
        res.Headers.ETag = "\"" + d + "\"";
        res.Headers.CacheControl = "max-age=31536000";
        Microsoft.Win32.SafeHandles.SafeFileHandle file;
        try { file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (FileNotFoundException) { throw RegistryError.BlobUnknown(ds); } // collected since the check
        using var _ = file;
        var length = RandomAccess.GetLength(file);
        res.ContentType = "application/octet-stream";
        res.Headers.AcceptRanges = "bytes";
        var (start, count, status) = ParseRange(ctx.Request.Headers.Range.ToString(), length);
        res.StatusCode = status;
        if (status == 416)
        {
            res.Headers.ContentRange = $"bytes */{length}";
            res.ContentLength = 0;
            return;
        }
        if (status == 206) res.Headers.ContentRange = $"bytes {start}-{start + count - 1}/{length}";
        res.ContentLength = count;
        if (ctx.Request.Method == "HEAD") return;
        await CopyAsync(file, start, count, res.BodyWriter, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a file range to the response: positional reads straight into the response pipe's memory (no
    /// intermediate buffer), 256 KiB at a time. Synchronous reads (page-cache hits, mostly) avoid the thread-pool
    /// emulation of async file I/O that Kestrel's SendFileAsync fallback pays per 64 KiB.
    /// </summary>
    private static async Task CopyAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, System.IO.Pipelines.PipeWriter body, CancellationToken ct)
    {
        while (count > 0)
        {
            var mem = body.GetMemory(256 << 10);
            var n = RandomAccess.Read(file, mem.Span[..(int)Math.Min(mem.Length, count)], offset);
            if (n == 0) throw new IOException("blob shrank while being read");
            body.Advance(n);
            var flushed = await body.FlushAsync(ct).ConfigureAwait(false);
            if (flushed.IsCanceled || flushed.IsCompleted) return;
            offset += n;
            count -= n;
        }
    }

    /// <summary>
    /// A single byte range ("bytes=a-b", "bytes=a-", "bytes=-n") as (start, count, 206), the whole blob as 200 when there
    /// is no usable Range (several ranges are served whole, which RFC 9110 allows), or 416 when it is unsatisfiable.
    /// </summary>
    public static (long Start, long Count, int Status) ParseRange(string header, long length)
    {
        var whole = (0L, length, 200);
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal)) return whole;
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return whole;
        var a = spec[..dash];
        var b = spec[(dash + 1)..];
        if (a.Length == 0)
        {
            if (!long.TryParse(b, out var suffix) || suffix < 0) return whole;
            if (suffix == 0 || length == 0) return (0, 0, 416);
            var n = Math.Min(suffix, length);
            return (length - n, n, 206);
        }
        if (!long.TryParse(a, out var start) || start < 0) return whole;
        long end = length - 1;
        if (b.Length > 0 && (!long.TryParse(b, out end) || end < start)) return whole;
        if (start >= length) return (0, 0, 416);
        end = Math.Min(end, length - 1);
        return (start, end - start + 1, 206);
    }

    private void DeleteBlob(HttpContext ctx, string name, string ds)
    {
        var d = ParseDigest(ds);
        if (!storage.UnlinkBlob(name, d)) throw RegistryError.BlobUnknown(ds);
        ctx.Response.StatusCode = 202;
        ctx.Response.Headers["Docker-Content-Digest"] = d.ToString();
        ctx.Response.ContentLength = 0;
    }

    private async Task StartUploadAsync(HttpContext ctx, string name)
    {
        var q = ctx.Request.Query;
        var res = ctx.Response;
        string mount = q["mount"].ToString();
        if (mount.Length > 0)
        {
            var from = q["from"].ToString();
            // Without a readable source the spec falls back to an ordinary upload session (202).
            if (Digest.TryParse(mount, out var md) && from.Length > 0 && RegistryStorage.IsValidName(from) && storage.HasBlob(from, md) &&
                (auth is null || auth.MayPull(ctx, from)))
            {
                storage.GcLock.EnterReadLock();
                try { storage.LinkBlob(name, md); } finally { storage.GcLock.ExitReadLock(); }
                BlobCreated(res, name, md);
                return;
            }
        }
        string digest = q["digest"].ToString();
        if (digest.Length > 0)
        {
            var d = ParseDigest(digest);
            await storage.PutBlobAsync(name, ctx.Request.BodyReader, d, ctx.RequestAborted).ConfigureAwait(false);
            BlobCreated(res, name, d);
            return;
        }
        var id = storage.StartUpload(name);
        UploadAccepted(res, name, id, 0, 202);
    }

    private static void BlobCreated(HttpResponse res, string name, Digest d)
    {
        res.StatusCode = 201;
        res.Headers.Location = $"/v2/{name}/blobs/{d}";
        res.Headers["Docker-Content-Digest"] = d.ToString();
        res.ContentLength = 0;
    }

    private static void UploadAccepted(HttpResponse res, string name, string id, long size, int status)
    {
        res.StatusCode = status;
        res.Headers.Location = $"/v2/{name}/blobs/uploads/{id}";
        res.Headers["Docker-Upload-UUID"] = id;
        // distribution reports "0-0" for an empty upload as well; clients only read the end.
        res.Headers.Range = $"0-{Math.Max(0, size - 1)}";
        res.ContentLength = 0;
    }

    /// <summary>Parses "start-end" (inclusive); RANGE_INVALID when malformed or start &gt; end.</summary>
    public static (long Start, long End) ParseContentRange(string value)
    {
        var m = ContentRangeRegex().Match(value.StartsWith("bytes ", StringComparison.Ordinal) ? value[6..].Split('/')[0] : value);
        if (!m.Success || !long.TryParse(m.Groups[1].ValueSpan, out var start) || !long.TryParse(m.Groups[2].ValueSpan, out var end) || start > end)
            throw new RegistryError("RANGE_INVALID", "invalid content range", value);
        return (start, end);
    }

    private async Task PatchUploadAsync(HttpContext ctx, string name, string id)
    {
        if (storage.UploadSize(name, id) is not { } size) throw RegistryError.UploadUnknown();
        var req = ctx.Request;
        var ct = req.ContentType;
        if (!string.IsNullOrEmpty(ct) && ct != "application/octet-stream")
            throw new RegistryError("BLOB_UPLOAD_INVALID", "blob upload invalid", "Content-Type must be application/octet-stream");
        long? start = null;
        var cr = req.Headers.ContentRange.ToString();
        if (cr.Length > 0)
        {
            var (s, e) = ParseContentRange(cr);
            if (s != size) throw new RegistryError("RANGE_INVALID", "invalid content range", $"chunk starts at {s}, upload has {size} bytes");
            if (req.ContentLength is { } len && len != e - s + 1)
                throw new RegistryError("SIZE_INVALID", "provided length did not match content length", $"Content-Length {len} for range {cr}");
            start = s;
        }
        var newSize = await storage.AppendUploadAsync(name, id, req.BodyReader, start, ctx.RequestAborted).ConfigureAwait(false);
        UploadAccepted(ctx.Response, name, id, newSize, 202);
    }

    private async Task PutUploadAsync(HttpContext ctx, string name, string id)
    {
        if (storage.UploadSize(name, id) is not { } size) throw RegistryError.UploadUnknown();
        var ds = ctx.Request.Query["digest"].ToString();
        if (!Digest.TryParse(ds, out var d)) throw RegistryError.DigestInvalid("invalid or missing digest " + ds);
        long? start = null;
        var cr = ctx.Request.Headers.ContentRange.ToString();
        if (cr.Length > 0)
        {
            var (s, _) = ParseContentRange(cr);
            if (s != size) throw new RegistryError("RANGE_INVALID", "invalid content range", $"chunk starts at {s}, upload has {size} bytes");
            start = s;
        }
        if (ctx.Request.ContentLength is not 0)
            await storage.AppendUploadAsync(name, id, ctx.Request.BodyReader, start, ctx.RequestAborted).ConfigureAwait(false);
        storage.FinishUpload(name, id, d);
        BlobCreated(ctx.Response, name, d);
    }

    private void UploadStatus(HttpContext ctx, string name, string id)
    {
        if (storage.UploadSize(name, id) is not { } size) throw RegistryError.UploadUnknown();
        UploadAccepted(ctx.Response, name, id, size, 204);
    }

    private void CancelUpload(HttpContext ctx, string name, string id)
    {
        if (!storage.CancelUpload(name, id)) throw RegistryError.UploadUnknown();
        ctx.Response.StatusCode = 204;
        ctx.Response.ContentLength = 0;
    }

    // ---- manifests ----

    private Digest Resolve(string name, string reference)
    {
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            if (!Digest.TryParse(reference, out var d)) throw new RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content", "invalid digest " + reference);
            return d;
        }
        if (!RegistryStorage.IsValidTag(reference)) throw new RegistryError("TAG_INVALID", "manifest tag did not match URI", reference);
        return storage.ResolveTag(name, reference) ?? throw RegistryError.ManifestUnknown(reference);
    }

    private async Task GetManifestAsync(HttpContext ctx, string name, string reference)
    {
        if (!storage.RepositoryExists(name)) throw RegistryError.NameUnknown(name);
        var d = Resolve(name, reference);
        var mediaType = storage.ManifestMediaType(name, d) ?? throw RegistryError.ManifestUnknown(reference);
        byte[] bytes;
        try { bytes = storage.Content.ReadAllBytes(d); }
        catch (Wharf.Core.WharfException) { throw RegistryError.ManifestUnknown(reference); }
        var res = ctx.Response;
        res.StatusCode = 200;
        res.ContentType = mediaType;
        res.ContentLength = bytes.Length;
        res.Headers["Docker-Content-Digest"] = d.ToString();
        res.Headers.ETag = "\"" + d + "\"";
        if (ctx.Request.Method == "GET") await res.Body.WriteAsync(bytes).ConfigureAwait(false);
    }

    private async Task PutManifestAsync(HttpContext ctx, string name, string reference)
    {
        var bytes = await ReadLimitedAsync(ctx.Request, MaxManifestBytes).ConfigureAwait(false);
        var digest = Digest.FromBytes(bytes);
        string? tag = null;
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            var want = ParseDigest(reference);
            if (want != digest) throw RegistryError.DigestInvalid($"manifest digest {digest} does not match {want}");
        }
        else if (RegistryStorage.IsValidTag(reference)) tag = reference;
        else throw new RegistryError("TAG_INVALID", "manifest tag did not match URI", reference);

        var info = ManifestInfo.Parse(bytes, ctx.Request.ContentType);
        byte[]? referrer = info.Subject is null ? null : ReferrerDescriptor(info, digest, bytes.Length);
        storage.GcLock.EnterReadLock();
        try
        {
            foreach (var r in info.References)
            {
                if (r.Foreign) continue;
                var present = r.IsManifest ? storage.HasManifest(name, r.Digest) : storage.HasBlob(name, r.Digest);
                if (!present)
                    throw new RegistryError("MANIFEST_BLOB_UNKNOWN", r.IsManifest ? "manifest unknown" : "blob unknown to registry", r.Digest.ToString());
            }
            storage.PutManifest(name, digest, bytes, info.MediaType, tag, info.Subject, referrer);
        }
        finally
        {
            storage.GcLock.ExitReadLock();
        }
        var res = ctx.Response;
        res.StatusCode = 201;
        res.Headers.Location = $"/v2/{name}/manifests/{digest}";
        res.Headers["Docker-Content-Digest"] = digest.ToString();
        if (info.Subject is not null) res.Headers["OCI-Subject"] = info.Subject.ToString();
        res.ContentLength = 0;
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpRequest req, int max)
    {
        if (req.ContentLength > max) throw TooLarge(req.ContentLength.Value, max);
        using var ms = new MemoryStream();
        var buf = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int n;
            while ((n = await req.Body.ReadAsync(buf.AsMemory(0, buf.Length), req.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (ms.Length + n > max) throw TooLarge(ms.Length + n, max);
                ms.Write(buf, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        return ms.ToArray();
    }

    private static RegistryError TooLarge(long size, int max) =>
        new("MANIFEST_INVALID", "manifest invalid", $"manifest of {size} bytes is larger than the limit of {max} bytes");

    private static byte[] ReferrerDescriptor(ManifestInfo info, Digest digest, long size)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("mediaType", info.MediaType);
            w.WriteString("digest", digest.ToString());
            w.WriteNumber("size", size);
            if (info.ArtifactType is not null) w.WriteString("artifactType", info.ArtifactType);
            if (info.AnnotationsJson is not null)
            {
                w.WritePropertyName("annotations");
                w.WriteRawValue(info.AnnotationsJson);
            }
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private void DeleteManifest(HttpContext ctx, string name, string reference)
    {
        if (!storage.RepositoryExists(name)) throw RegistryError.NameUnknown(name);
        if (!reference.Contains(':', StringComparison.Ordinal))
        {
            if (!RegistryStorage.IsValidTag(reference)) throw new RegistryError("TAG_INVALID", "manifest tag did not match URI", reference);
            if (!storage.DeleteTag(name, reference)) throw RegistryError.ManifestUnknown(reference);
        }
        else
        {
            var d = ParseDigest(reference);
            Digest? subject = null;
            if (storage.HasManifest(name, d))
            {
                try { subject = ManifestInfo.Parse(storage.Content.ReadAllBytes(d), storage.ManifestMediaType(name, d)).Subject; }
                catch (RegistryError) { }
            }
            if (!storage.DeleteManifest(name, d, subject)) throw RegistryError.ManifestUnknown(reference);
        }
        ctx.Response.StatusCode = 202;
        ctx.Response.ContentLength = 0;
    }

    // ---- discovery ----

    private async Task TagsAsync(HttpContext ctx, string name)
    {
        if (!storage.RepositoryExists(name)) throw RegistryError.NameUnknown(name);
        await ListPageAsync(ctx, storage.Tags(name), $"/v2/{name}/tags/list", "tags", name).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of a sorted list (tags or the catalog): entries after <c>last</c>, at most <c>n</c> (capped at
    /// <see cref="RegistryOptions.MaxPageSize"/>), with a <c>Link: &lt;…&gt;; rel="next"</c> header when more follow.
    /// </summary>
    private async Task ListPageAsync(HttpContext ctx, IReadOnlyList<string> sorted, string path, string field, string? name)
    {
        var q = ctx.Request.Query;
        var last = q["last"].ToString();
        IEnumerable<string> page = sorted;
        if (last.Length > 0) page = page.Where(t => string.CompareOrdinal(t, last) > 0);
        int? n = null;
        if (q.ContainsKey("n"))
        {
            if (!int.TryParse(q["n"], out var nv) || nv < 0)
                throw new RegistryError("PAGINATION_NUMBER_INVALID", "invalid number of results requested", q["n"].ToString());
            n = Math.Min(nv, options.MaxPageSize);
        }
        var rest = page.ToList();
        var list = n is { } k ? rest.Take(k).ToList() : rest;
        var res = ctx.Response;
        if (n is { } limit && limit > 0 && rest.Count > limit)
            res.Headers.Link = $"<{path}?n={limit}&last={Uri.EscapeDataString(list[^1])}>; rel=\"next\"";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (name is not null) w.WriteString("name", name);
            w.WriteStartArray(field);
            foreach (var t in list) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        res.StatusCode = 200;
        res.ContentType = "application/json";
        res.ContentLength = ms.Length;
        await res.Body.WriteAsync(ms.ToArray()).ConfigureAwait(false);
    }

    private async Task ReferrersAsync(HttpContext ctx, string name, string ds)
    {
        var subject = ParseDigest(ds, "DIGEST_INVALID");
        var filter = ctx.Request.Query["artifactType"].ToString();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciIndex);
            w.WriteStartArray("manifests");
            foreach (var bytes in storage.Referrers(name, subject))
            {
                using var doc = JsonDocument.Parse(bytes);
                if (filter.Length > 0 && !(doc.RootElement.TryGetProperty("artifactType", out var at) && at.GetString() == filter)) continue;
                doc.RootElement.WriteTo(w);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var res = ctx.Response;
        if (filter.Length > 0) res.Headers["OCI-Filters-Applied"] = "artifactType";
        res.StatusCode = 200;
        res.ContentType = MediaTypes.OciIndex;
        res.ContentLength = ms.Length;
        await res.Body.WriteAsync(ms.ToArray()).ConfigureAwait(false);
    }
}
