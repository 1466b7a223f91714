using System.Net;
using System.Text.Json;
using Wharf.Content;
using Wharf.Core;
using Wharf.Images;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;

namespace Wharf.Distribution;

/// <summary>What a pull fetched and verified: ready to be registered and named by the image service.</summary>
/// <param name="ResolvedDigest">Digest of the document the reference pointed at (the index for a multi-platform
/// image): what RepoDigests and "Digest: …" show.</param>
/// <param name="AlreadyPresent">The image (its config) was in the store before: nothing was downloaded.</param>
public sealed record PulledImage(Digest ResolvedDigest, ImageRegistration Registration, string ImageId, bool AlreadyPresent);

/// <summary>
/// docker pull: manifest (through an index when there is one) → config → layers, downloading up to
/// <c>concurrency</c> layers at once and unpacking them in order as they arrive. Every byte is checked: the
/// manifest digest when pulled by digest (and every platform manifest chosen from an index), the config digest,
/// each layer blob's digest and size as it is stored (<see cref="Content.IIngester.Ingest"/>), and each layer's
/// diffID against the config while it is unpacked. Blobs already in the content store are not downloaded again,
/// which is what makes a pull killed half-way cheap to resume; a blob cut mid-download keeps its bytes and the next
/// attempt asks only for the rest (<see cref="BlobResume"/>). When the registry serves bytes that fail a check,
/// every blob and snapshot this pull added is removed again: nothing of a tampered image stays.
/// The image becomes visible only when the caller registers the returned <see cref="PulledImage"/>.
/// </summary>
public sealed class ImagePuller(RegistryClient client, ImageStore store, object storeLock, BlobSources sources,
    Action<string>? crashPoint = null, int concurrency = 3)
{
    /// <summary>Biggest config blob accepted (configs are JSON; Docker Hub's largest are well under 1 MiB).</summary>
    private const int MaxConfigSize = 8 << 20;

    public async Task<PulledImage> PullAsync(ImageReference reference, AuthConfig auth, Platform? platform,
        IProgressSink progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(progress);
        var want = platform ?? PlatformSelector.Host;
        RepositorySession session;
        Resolved document;
        try
        {
            (session, document) = await ResolveAsync(reference, auth, want, ct);
        }
        catch (WharfException e) when (e.Kind == ErrorKind.Unauthorized)
        {
            // Not 401: the docker CLI answers a 401 by prompting for a login, which is not what a refused pull should do.
            throw WharfException.NotFound($"pull access denied for {reference.NameOnly().FamiliarName}, repository does not exist or may require 'docker login': {e.Message}");
        }
        var resolvedDigest = document.Top.Digest;
        var manifestDoc = document.Manifest;
        var manifest = manifestDoc.Manifest!;

        await progress.ReportAsync(new ProgressEvent(reference.Tag ?? reference.Digest, "Pulling from " + reference.Path, Detail: false));

        var configDigest = Digest.Parse(manifest.Config.Digest);
        if (manifest.Config.Size > MaxConfigSize) throw WharfException.Invalid($"image config too large: {manifest.Config.Size} bytes");
        var configBytes = await FetchSmallBlobAsync(session, configDigest, manifest.Config.Size, ct);
        if (Digest.FromBytes(configBytes) != configDigest)
            throw WharfException.Invalid($"image config verification failed for digest {configDigest}");
        ImageConfigFile config;
        try
        {
            config = JsonSerializer.Deserialize(configBytes, OciJsonContext.Default.ImageConfigFile) ?? throw WharfException.Invalid("image config is empty");
        }
        catch (JsonException e)
        {
            throw WharfException.Invalid("invalid image config: " + e.Message);
        }
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
            throw WharfException.Invalid("layers from manifest don't match image configuration");
        if (platform is not null && !PlatformSelector.Matches(platform, new Platform { Os = config.Os, Architecture = config.Architecture, Variant = config.Variant }))
            throw WharfException.NotFound($"image with reference {reference.FamiliarString} was found but its platform ({config.Os}/{config.Architecture}) does not match the specified platform ({PlatformSelector.Format(platform)})");

        var registration = new ImageRegistration(configBytes, manifest.Layers, manifestDoc.Bytes);
        var imageId = configDigest.ToString();
        bool present;
        lock (storeLock) present = store.Exists(imageId);
        if (present) return new PulledImage(resolvedDigest, registration, imageId, AlreadyPresent: true);

        var created = new PullLeftovers();
        try
        {
            var size = await FetchLayersAsync(session, manifest.Layers, diffIds, progress, created, ct);
            registration = registration with { Size = size };
        }
        catch (WharfException e) when (e.Kind is ErrorKind.InvalidArgument or ErrorKind.FailedPrecondition)
        {
            // The registry served bytes that do not verify: drop everything this pull stored.
            RemoveLeftovers(created);
            throw;
        }
        sources.Add(manifest.Layers.Select(l => l.Digest).Append(manifest.Config.Digest), session.Domain + "/" + session.Path);
        return new PulledImage(resolvedDigest, registration, imageId, AlreadyPresent: false);
    }

    private sealed class PullLeftovers
    {
        public List<Digest> Blobs { get; } = [];
        public List<string> Chains { get; } = [];
    }

    private void RemoveLeftovers(PullLeftovers created)
    {
        lock (storeLock)
        {
            foreach (var chain in created.Chains)
                if (!store.Images.Any(m => store.ChainIds(m.Id).Contains(chain))) store.Snapshots.RemoveLayer(chain);
            lock (created.Blobs)
                foreach (var blob in created.Blobs)
                    if (!store.IsBlobReferenced(blob)) store.Content.Delete(blob);
        }
    }

    private sealed record Resolved(ManifestDocument Top, ManifestDocument Manifest);

    /// <summary>Finds the manifest on the mirrors, then the registry itself; returns the session that served it.</summary>
    private async Task<(RepositorySession, Resolved)> ResolveAsync(ImageReference reference, AuthConfig auth, Platform want, CancellationToken ct)
    {
        foreach (var mirror in client.Options.Mirrors)
        {
            try
            {
                // Mirrors are anonymous: the user's credentials are for the registry, not for whoever runs the mirror.
                var mirrorSession = await client.OpenAsync(reference.Domain, reference.Path, AuthConfig.Anonymous, push: false, mirror, ct);
                return (mirrorSession, await FetchManifestsAsync(mirrorSession, reference, want, ct));
            }
            catch (Exception e) when (e is WharfException or HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not on this mirror (or the mirror is down): try the next one, then the origin.
            }
        }
        RepositorySession session;
        try
        {
            session = await client.OpenAsync(reference.Domain, reference.Path, auth, push: false, ct: ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new WharfException(ErrorKind.Unavailable,
                $"Get \"https://{RegistryOptions.ApiHost(reference.Domain)}/v2/\": {Unwrap(e)}", e);
        }
        return (session, await FetchManifestsAsync(session, reference, want, ct));
    }

    private static string Unwrap(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }

    private static async Task<Resolved> FetchManifestsAsync(RepositorySession session, ImageReference reference, Platform want, CancellationToken ct)
    {
        var top = await FetchManifestAsync(session, reference, reference.Digest ?? reference.Tag ?? ImageReference.DefaultTag, ct);
        if (reference.Digest is not null && top.Digest.ToString() != reference.Digest)
            throw WharfException.Invalid($"manifest verification failed for digest {reference.Digest}");
        if (top.Index is null) return new Resolved(top, top);
        var chosen = PlatformSelector.Select(top.Index, want);
        var manifest = await FetchManifestAsync(session, reference, chosen.Digest, ct);
        if (manifest.Digest.ToString() != chosen.Digest)
            throw WharfException.Invalid($"manifest verification failed for digest {chosen.Digest}");
        if (manifest.Manifest is null) throw WharfException.Invalid("an image index may not point at another index here");
        return new Resolved(top, manifest);
    }

    private static async Task<ManifestDocument> FetchManifestAsync(RepositorySession session, ImageReference reference, string tagOrDigest, CancellationToken ct)
    {
        using var response = await session.SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, session.Url("manifests/" + tagOrDigest));
            r.Headers.TryAddWithoutValidation("Accept", ManifestDocument.Accept);
            return r;
        }, ct);
        var name = reference.NameOnly();
        if (response.StatusCode is HttpStatusCode.NotFound)
        {
            var text = await RegistryClient.ErrorTextAsync(response, ct);
            if (text.StartsWith("name unknown", StringComparison.Ordinal))
                throw WharfException.NotFound($"pull access denied for {name.FamiliarName}, repository does not exist or may require 'docker login': {text}");
            var shown = reference.Digest is not null ? name.FamiliarName + "@" + reference.Digest : name.FamiliarName + ":" + (reference.Tag ?? ImageReference.DefaultTag);
            throw WharfException.NotFound($"manifest for {shown} not found: {text}");
        }
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw WharfException.NotFound($"pull access denied for {name.FamiliarName}, repository does not exist or may require 'docker login': {await RegistryClient.ErrorTextAsync(response, ct)}");
        if (!response.IsSuccessStatusCode)
            throw new WharfException(ErrorKind.Unavailable, await RegistryClient.ErrorTextAsync(response, ct));
        if (response.Content.Headers.ContentLength > ManifestDocument.MaxSize)
            throw WharfException.Invalid($"manifest too large: {response.Content.Headers.ContentLength} bytes");
        var bytes = await ReadLimitedAsync(response, ManifestDocument.MaxSize, ct);
        return ManifestDocument.Parse(bytes, response.Content.Headers.ContentType?.ToString());
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        await using var s = await response.Content.ReadAsStreamAsync(ct);
        using var ms = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = await s.ReadAsync(buf, ct)) > 0)
        {
            ms.Write(buf, 0, n);
            if (ms.Length > limit) throw WharfException.Invalid($"document from the registry is larger than {limit} bytes");
        }
        return ms.ToArray();
    }

    private static async Task<byte[]> FetchSmallBlobAsync(RepositorySession session, Digest digest, long size, CancellationToken ct)
    {
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, session.Url("blobs/" + digest)), ct);
        if (!response.IsSuccessStatusCode)
            throw new WharfException(response.StatusCode == HttpStatusCode.NotFound ? ErrorKind.NotFound : ErrorKind.Unavailable,
                $"error fetching blob {digest}: {await RegistryClient.ErrorTextAsync(response, ct)}");
        return await ReadLimitedAsync(response, (int)Math.Min(Math.Max(size, 0) + 1, MaxConfigSize), ct);
    }

    /// <summary>GET of a blob, from byte <paramref name="from"/> on when that is not 0.</summary>
    private static Task<HttpResponseMessage> GetBlobAsync(RepositorySession session, Digest digest, long from, CancellationToken ct) =>
        session.SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, session.Url("blobs/" + digest));
            if (from > 0) r.Headers.Range = BlobResume.RangeFrom(from);
            return r;
        }, ct);

    /// <summary>
    /// Where a layer download starts, from the bytes <paramref name="writer"/> kept and the registry's answer to a
    /// ranged GET (<see cref="BlobResume"/>): returns the response to read (null when the kept bytes are the whole
    /// blob) and how many kept bytes it continues (0: the writer is empty and the response is the whole blob).
    /// </summary>
    private static async Task<(HttpResponseMessage? Response, long Kept)> OpenBlobAsync(RepositorySession session, Digest digest,
        ContentWriter writer, long size, CancellationToken ct)
    {
        var plan = BlobResume.Plan(writer.KeptBytes, size);
        if (plan == ResumeStart.VerifyKept) return (null, writer.KeptBytes);
        if (plan == ResumeStart.Discard) writer.DiscardKept();
        long kept = plan == ResumeStart.Range ? writer.KeptBytes : 0;
        var response = await GetBlobAsync(session, digest, kept, ct);
        try
        {
            var answer = kept > 0 ? BlobResume.Judge(response.StatusCode, response.Content.Headers.ContentRange, kept, size) : ResumeAnswer.Fail;
            if (answer is ResumeAnswer.Restart or ResumeAnswer.Refetch)
            {
                writer.DiscardKept();
                kept = 0;
            }
            if (answer == ResumeAnswer.Refetch)
            {
                response.Dispose();
                response = await GetBlobAsync(session, digest, 0, ct);
            }
            if (!response.IsSuccessStatusCode)
                throw new WharfException(response.StatusCode == HttpStatusCode.NotFound ? ErrorKind.NotFound : ErrorKind.Unavailable,
                    $"error pulling layer {digest}: {await RegistryClient.ErrorTextAsync(response, ct)}");
            return (response, kept);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string ShortId(Descriptor layer) => Digest.Parse(layer.Digest).Hex[..12];

    /// <summary>Downloads and unpacks the layers; returns their unpacked size when every one was unpacked here.</summary>
    private async Task<long?> FetchLayersAsync(RepositorySession session, IReadOnlyList<Descriptor> layers, IReadOnlyList<string> diffIds,
        IProgressSink progress, PullLeftovers created, CancellationToken ct)
    {
        var chains = ChainId.Compute(diffIds);
        var skip = new bool[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            if (!MediaTypes.IsLayer(layers[i].MediaType))
                throw WharfException.Invalid($"unsupported layer media type {layers[i].MediaType}");
            var blob = Digest.Parse(layers[i].Digest);
            lock (storeLock) skip[i] = store.Content.Exists(blob) && store.Snapshots.LayerExists(chains[i]);
            await progress.ReportAsync(new ProgressEvent(ShortId(layers[i]), skip[i] ? "Already exists" : "Pulling fs layer"));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var gate = new SemaphoreSlim(concurrency);
        var downloads = new Task<ExtractedLayer?>[layers.Count];
        var committed = new bool[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            if (skip[i]) { downloads[i] = Task.FromResult<ExtractedLayer?>(null); continue; }
            var layer = layers[i];
            downloads[i] = DownloadAsync(session, layer, gate, progress, created, cts.Token);
        }
        try
        {
            string? parent = null;
            long? total = 0;
            for (int i = 0; i < layers.Count; i++)
            {
                var extracted = await downloads[i];
                if (!skip[i])
                {
                    var blob = Digest.Parse(layers[i].Digest);
                    var diffId = Digest.Parse(diffIds[i]);
                    var id = ShortId(layers[i]);
                    await progress.ReportAsync(new ProgressEvent(id, "Extracting", layers[i].Size, layers[i].Size));
                    var parentChain = parent;
                    int index = i;
                    await Task.Run(() =>
                    {
                        lock (storeLock)
                        {
                            bool existed = store.Snapshots.LayerExists(chains[index]);
                            committed[index] = true;
                            // Extracted while downloading (a fresh blob), or from the content store (a blob fetched earlier).
                            var unpacked = extracted is not null
                                ? LayerUnpacker.Commit(store.Snapshots, extracted, blob, parentChain, diffId)
                                : LayerUnpacker.Unpack(store.Content, store.Snapshots, blob, parentChain, diffId, cts.Token);
                            if (!existed) created.Chains.Add(chains[index]);
                            total = existed ? null : total + unpacked.Size;
                        }
                    }, cts.Token);
                    crashPoint?.Invoke("pull-layer-unpacked");
                    await progress.ReportAsync(new ProgressEvent(id, "Pull complete"));
                }
                else total = null;
                parent = chains[i];
            }
            return total;
        }
        catch
        {
            await cts.CancelAsync();
            for (int i = 0; i < downloads.Length; i++)
            {
                try
                {
                    if (await downloads[i] is { } orphan && !committed[i]) LayerUnpacker.Abort(store.Snapshots, orphan);
                }
                catch (Exception)
                {
                    // The first failure is the one reported; the others are consequences of cancelling.
                }
            }
            throw;
        }
    }

    /// <summary>
    /// Downloads one layer blob into the content store and, at the same time, extracts it into a temp snapshot dir
    /// (both read the same bytes: the network stream is teed into a bounded in-memory pipe). The extracted layer is
    /// only used once the blob's digest verified; the caller checks its diffID and publishes it in layer order.
    /// Returns null when the blob was already stored (nothing downloaded, nothing extracted).
    /// </summary>
    private async Task<ExtractedLayer?> DownloadAsync(RepositorySession session, Descriptor layer, SemaphoreSlim gate, IProgressSink progress,
        PullLeftovers created, CancellationToken ct)
    {
        var id = ShortId(layer);
        var digest = Digest.Parse(layer.Digest);
        if (gate.CurrentCount == 0) await progress.ReportAsync(new ProgressEvent(id, "Waiting"));
        await gate.WaitAsync(ct);
        try
        {
            bool exists;
            lock (storeLock) exists = store.Content.Exists(digest);
            if (exists)
            {
                // Fetched (and verified) by an earlier, interrupted pull or by another image: no download.
                await progress.ReportAsync(new ProgressEvent(id, "Already exists"));
                return null;
            }
            bool refetched = false;
            for (int attempt = 1; ; attempt++)
            {
                bool resumed = false;
                try
                {
                    // Bytes an interrupted download of this blob left (a crash, a dropped connection) are kept
                    // under its digest: go on from them when the registry serves the rest.
                    using var writer = store.Content.OpenResumable(digest);
                    var (response, kept) = await OpenBlobAsync(session, digest, writer, layer.Size, ct);
                    using (response)
                    {
                        resumed = kept > 0;
                        await using var body = response is null ? Stream.Null : await response.Content.ReadAsStreamAsync(ct);
                        var pipe = new ChunkPipe();
                        var counting = new ProgressStream(body, layer.Size, progress, id, pipe, kept);
                        var extract = Task.Run(() =>
                        {
                            try
                            {
                                var reader = pipe.OpenReader();
                                var extracted = LayerUnpacker.Extract(reader, store.Snapshots, ct);
                                reader.CopyTo(Stream.Null); // whatever the decompressor left (trailers), so the writer never blocks
                                return extracted;
                            }
                            finally
                            {
                                pipe.ReaderDone();
                            }
                        }, ct);
                        try
                        {
                            await Task.Run(() =>
                            {
                                try
                                {
                                    // The kept prefix is hashed again and fed to the extraction, which needs the whole stream.
                                    if (kept > 0) writer.ResumeKept(pipe.Write, ct);
                                    LocalContentStore.Ingest(writer, counting, digest, layer.Size, ct);
                                }
                                catch (WharfException e) when (e.Kind == ErrorKind.FailedPrecondition)
                                {
                                    throw new WharfException(ErrorKind.FailedPrecondition, $"filesystem layer verification failed for digest {digest}", e);
                                }
                                finally
                                {
                                    pipe.Complete();
                                }
                            }, ct);
                        }
                        catch
                        {
                            try { LayerUnpacker.Abort(store.Snapshots, await extract); }
                            catch (Exception) { /* a truncated or refused stream: extraction failed too, nothing to remove */ }
                            throw;
                        }
                        lock (created.Blobs) created.Blobs.Add(digest);
                        await counting.FlushReportsAsync();
                        crashPoint?.Invoke("pull-blob-committed");
                        await progress.ReportAsync(new ProgressEvent(id, "Download complete"));
                        try
                        {
                            return await extract;
                        }
                        catch (Exception e) when (e is not (OperationCanceledException or WharfException))
                        {
                            // The blob verified but is not a layer we can apply (bad compression or tar): the registry's fault.
                            throw new WharfException(ErrorKind.InvalidArgument, $"failed to register layer {digest}: {e.Message}", e);
                        }
                    }
                }
                catch (WharfException e) when (resumed && !refetched && e.Kind == ErrorKind.FailedPrecondition)
                {
                    // The kept prefix was bad (the writer dropped it): one full download before calling the blob tampered.
                    refetched = true;
                    attempt--;
                }
                catch (Exception e) when (attempt < 3 && e is HttpRequestException or IOException && !ct.IsCancellationRequested)
                {
                    await progress.ReportAsync(new ProgressEvent(id, $"Retrying in {attempt} second{(attempt > 1 ? "s" : "")}"));
                    await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A bounded, blocking byte pipe (4 MiB) from the download to the extraction running beside it. If the
    /// reader gives up, writes are dropped so the download (and its digest check) still completes.</summary>
    private sealed class ChunkPipe
    {
        private readonly System.Collections.Concurrent.BlockingCollection<byte[]> _chunks = new(boundedCapacity: 64);
        private readonly CancellationTokenSource _readerGone = new();

        public void Write(ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty || _readerGone.IsCancellationRequested) return;
            try { _chunks.Add(data.ToArray(), _readerGone.Token); }
            catch (OperationCanceledException) { }
            catch (InvalidOperationException) { }
        }

        public void Complete()
        {
            try { _chunks.CompleteAdding(); }
            catch (ObjectDisposedException) { }
        }

        public void ReaderDone() => _readerGone.Cancel();

        public Stream OpenReader() => new Reader(_chunks);

        private sealed class Reader(System.Collections.Concurrent.BlockingCollection<byte[]> chunks) : ReadOnlyStream
        {
            private byte[] _current = [];
            private int _offset;

            public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

            public override int Read(Span<byte> buffer)
            {
                while (_offset == _current.Length)
                {
                    if (!chunks.TryTake(out var next, Timeout.Infinite)) return 0;
                    _current = next;
                    _offset = 0;
                }
                int n = Math.Min(buffer.Length, _current.Length - _offset);
                _current.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }

        }
    }

    /// <summary>Counts bytes as the ingest reads them and reports "Downloading" at most every 100 ms, then
    /// "Verifying Checksum" at the end of the stream.</summary>
    private sealed class ProgressStream(Stream inner, long total, IProgressSink progress, string id, ChunkPipe tee, long start) : ReadOnlyStream
    {
        private long _read = start;
        private long _lastReport = Environment.TickCount64;
        private Task _pending = Task.CompletedTask;
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            tee.Write(buffer.AsSpan(offset, n));
            _read += n;
            var now = Environment.TickCount64;
            if (n == 0 && !_ended)
            {
                _ended = true;
                Queue(new ProgressEvent(id, "Downloading", _read, total));
                Queue(new ProgressEvent(id, "Verifying Checksum"));
            }
            else if (now - _lastReport >= 100)
            {
                _lastReport = now;
                Queue(new ProgressEvent(id, "Downloading", _read, total));
            }
            return n;
        }

        private void Queue(ProgressEvent e)
        {
            // Reports are chained so they stay in order without blocking the download on the client.
            var previous = _pending;
            _pending = previous.ContinueWith(_ => progress.ReportAsync(e), TaskScheduler.Default).Unwrap();
        }

        public Task FlushReportsAsync() => _pending;

        public override long Position { get => _read; set => throw new NotSupportedException(); }
    }
}
