using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.Content;
using Wharf.Core;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;

namespace Wharf.Distribution;

/// <summary>The local image to push: its stored manifest (pushed byte for byte, so its digest is kept) and config.</summary>
public sealed record PushSource(byte[] ManifestJson, byte[] ConfigJson);

/// <summary>The pushed manifest: digest and size, as in "latest: digest: sha256:… size: 527".</summary>
public sealed record PushResult(string Tag, Digest Digest, long Size);

/// <summary>
/// docker push: each layer (stored compressed as pulled or built, never recompressed) is checked with HEAD
/// ("Layer already exists"), mounted from another repository of the same registry that is known to hold it
/// ("Mounted from …"), or uploaded in one PUT streamed from the content store ("Pushed"); then the config and the
/// manifest. Up to <c>concurrency</c> layers go at once.
/// </summary>
public sealed class ImagePusher(RegistryClient client, IContentProvider content, BlobSources sources, int concurrency = 5)
{
    public async Task<PushResult> PushAsync(ImageReference target, PushSource source, AuthConfig auth, IProgressSink progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(progress);
        var tag = target.Tag ?? ImageReference.DefaultTag;
        var doc = ManifestDocument.Parse(source.ManifestJson, null);
        var manifest = doc.Manifest ?? throw WharfException.Invalid("only single-platform images can be pushed");
        var config = JsonSerializer.Deserialize(source.ConfigJson, OciJsonContext.Default.ImageConfigFile) ?? throw WharfException.Invalid("image config is empty");
        var diffIds = config.RootFs.DiffIds;

        RepositorySession session;
        try
        {
            session = await client.OpenAsync(target.Domain, target.Path, auth, push: true, ct: ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new WharfException(ErrorKind.Unavailable, $"Get \"https://{RegistryOptions.ApiHost(target.Domain)}/v2/\": {e.Message}", e);
        }
        var repository = target.Domain + "/" + target.Path;
        // Mount sources on the same registry need pull access to those repositories in the token too.
        var mountFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in manifest.Layers)
        {
            var from = sources.Get(layer.Digest).FirstOrDefault(r => r != repository && r.StartsWith(target.Domain + "/", StringComparison.Ordinal));
            if (from is null) continue;
            mountFrom[layer.Digest] = from[(target.Domain.Length + 1)..];
            session.AddPullScope(mountFrom[layer.Digest]);
        }

        // Layer ids in push output are short diffIDs, as moby's push descriptors.
        string IdOf(int i) => i < diffIds.Count ? Digest.Parse(diffIds[i]).Hex[..12] : Digest.Parse(manifest.Layers[i].Digest).Hex[..12];
        for (int i = manifest.Layers.Count - 1; i >= 0; i--)
            await progress.ReportAsync(new ProgressEvent(IdOf(i), "Preparing"));

        using var gate = new SemaphoreSlim(concurrency);
        var tasks = new List<Task>();
        for (int i = manifest.Layers.Count - 1; i >= 0; i--)
        {
            var layer = manifest.Layers[i];
            var id = IdOf(i);
            tasks.Add(Task.Run(async () =>
            {
                if (gate.CurrentCount == 0) await progress.ReportAsync(new ProgressEvent(id, "Waiting"));
                await gate.WaitAsync(ct);
                try
                {
                    var status = await PushBlobAsync(session, layer, mountFrom.GetValueOrDefault(layer.Digest), id, progress, ct);
                    await progress.ReportAsync(new ProgressEvent(id, status));
                }
                finally
                {
                    gate.Release();
                }
            }, ct));
        }
        await Task.WhenAll(tasks);
        await PushBlobAsync(session, manifest.Config, null, null, progress, ct);

        using var put = await session.SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Put, session.Url("manifests/" + tag)) { Content = new ByteArrayContent(source.ManifestJson) };
            r.Content.Headers.ContentType = new MediaTypeHeaderValue(doc.MediaType);
            return r;
        }, ct);
        if (!put.IsSuccessStatusCode) throw await FailureAsync(put, target, ct);
        sources.Add(manifest.Layers.Select(l => l.Digest).Append(manifest.Config.Digest), repository);
        var result = new PushResult(tag, doc.Digest, source.ManifestJson.Length);
        await progress.ReportAsync(new ProgressEvent(null, $"{tag}: digest: {result.Digest} size: {result.Size}", Detail: false));
        return result;
    }

    private static async Task<WharfException> FailureAsync(HttpResponseMessage response, ImageReference target, CancellationToken ct)
    {
        var text = await RegistryClient.ErrorTextAsync(response, ct);
        return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? new WharfException(ErrorKind.Unauthorized, text)
            : new WharfException(ErrorKind.Unavailable, $"pushing to {target.NameOnly().FamiliarName}: {text}");
    }

    /// <summary>Makes <paramref name="blob"/> exist in the target repository; returns the status to show.</summary>
    private async Task<string> PushBlobAsync(RepositorySession session, Descriptor blob, string? mountFrom, string? id, IProgressSink progress, CancellationToken ct)
    {
        var digest = Digest.Parse(blob.Digest);
        using (var head = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, session.Url("blobs/" + digest)), ct))
            if (head.IsSuccessStatusCode) return "Layer already exists";

        Uri? location;
        var startUrl = session.Url("blobs/uploads/" + (mountFrom is null ? "" : $"?mount={digest}&from={Uri.EscapeDataString(mountFrom)}"));
        using (var start = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, startUrl) { Content = new ByteArrayContent([]) }, ct))
        {
            if (start.StatusCode == HttpStatusCode.Created && mountFrom is not null) return "Mounted from " + FamiliarPath(mountFrom);
            if (start.StatusCode != HttpStatusCode.Accepted) throw new WharfException(ErrorKind.Unavailable, "starting upload: " + await RegistryClient.ErrorTextAsync(start, ct));
            location = start.Headers.Location ?? throw new WharfException(ErrorKind.Unavailable, "registry sent no upload location");
        }
        if (!location.IsAbsoluteUri) location = new Uri(session.BaseUri, location);
        var put = new UriBuilder(location);
        put.Query = (put.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : "") + "digest=" + Uri.EscapeDataString(digest.ToString());
        var uploads = new List<PushProgressStream>(); // one per attempt (SendAsync may retry)
        HttpResponseMessage response;
        try
        {
            response = await session.SendAsync(() =>
            {
                var stream = content.OpenRead(digest);
                Stream body = stream;
                if (id is not null)
                {
                    var counted = new PushProgressStream(stream, blob.Size, progress, id);
                    uploads.Add(counted);
                    body = counted;
                }
                var r = new HttpRequestMessage(HttpMethod.Put, put.Uri) { Content = new StreamContent(body, 1 << 20) };
                r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                r.Content.Headers.ContentLength = blob.Size;
                return r;
            }, ct);
        }
        catch
        {
            // The upload's own failure is the one to report; its queued "Pushing" lines still go out first.
            try { await Task.WhenAll(uploads.Select(u => u.FlushReportsAsync())); } catch (Exception) { }
            throw;
        }
        using (response)
        {
            // Every "Pushing" line the upload queued is written before the layer's final status: none is left in
            // flight to land after the push's last line, once the daemon has ended the response.
            await Task.WhenAll(uploads.Select(u => u.FlushReportsAsync()));
            if (!response.IsSuccessStatusCode) throw new WharfException(ErrorKind.Unavailable, $"uploading blob {digest}: " + await RegistryClient.ErrorTextAsync(response, ct));
        }
        return "Pushed";
    }

    private static string FamiliarPath(string path) =>
        path.StartsWith("library/", StringComparison.Ordinal) && path.IndexOf('/', 8) < 0 ? path[8..] : path;

    /// <summary>Reports "Pushing" at most every 100 ms while the upload reads the blob. Reports are queued in order
    /// without holding up the upload; the pusher awaits <see cref="FlushReportsAsync"/> before the layer's status
    /// (as the puller's ProgressStream), so no report is ever written after the stream's last line.</summary>
    private sealed class PushProgressStream(Stream inner, long total, IProgressSink progress, string id) : ReadOnlyStream
    {
        private long _read;
        private long _last = Environment.TickCount64;
        private Task _pending = Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public Task FlushReportsAsync() => _pending;

        private int Count(int n)
        {
            _read += n;
            var now = Environment.TickCount64;
            if (now - _last >= 100 || (n == 0 && _read > 0))
            {
                _last = now;
                var e = new ProgressEvent(id, "Pushing", _read, total);
                _pending = _pending.ContinueWith(_ => progress.ReportAsync(e), TaskScheduler.Default).Unwrap();
            }
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override long Length => total;
        public override long Position { get => _read; set => throw new NotSupportedException(); }
    }
}
