using System.Formats.Tar;
using System.Text.Json;
using Wharf.Content;
using Wharf.Core;
using Wharf.Images.Layers;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;

namespace Wharf.Images.Archive;

/// <summary>An image found in an archive, verified and ready to commit.</summary>
/// <param name="ConfigJson">Config bytes (digest checked when the archive names it).</param>
/// <param name="LayerPaths">Archive paths of the layer files, bottom first.</param>
/// <param name="ManifestJson">The manifest blob the archive carries for this image, or null.</param>
/// <param name="Names">RepoTags (docker-archive) or the image name annotation (OCI layout).</param>
public sealed record ArchiveImage(byte[] ConfigJson, IReadOnlyList<string> LayerPaths, byte[]? ManifestJson, IReadOnlyList<string> Names)
{
    public string Id => Digest.FromBytes(ConfigJson).ToString();
}

/// <summary>
/// `docker load`: reads a docker-archive (legacy: manifest.json + &lt;id&gt;.json + &lt;dir&gt;/layer.tar, or Docker
/// 25+'s OCI layout with manifest.json) or a plain OCI image layout (index.json, e.g. from skopeo).
/// <para>One pass: every large file of the archive is stored as a blob (hashed) while the same bytes are
/// decompressed, hashed again (diffID) and unpacked into a private snapshot directory by the secure
/// <see cref="LayerApplier"/>. Small files are kept in memory until the manifest says what they are. Nothing is
/// published until <see cref="Plan"/> has verified every blob against its digest and every diffID against its
/// config; <see cref="Commit"/> then renames blobs and layers into place. Disposing removes every temp file and
/// directory, so an archive that fails anywhere leaves nothing behind.</para>
/// <see cref="Read"/> and <see cref="Plan"/> need no lock; <see cref="Commit"/> runs under the image lock.
/// </summary>
public sealed class ImageArchiveLoader(ImageStore store) : IDisposable
{
    /// <summary>Files up to this size are held in memory (configs, manifests, small layers).</summary>
    public const int SmallFileLimit = 1 << 20;
    private const long MaxBufferedTotal = 256L << 20;
    private const int MaxEntries = 100_000;
    private const int MaxJsonSize = 4 << 20;

    private readonly Dictionary<string, ArchiveFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private long _buffered;

    private sealed class ArchiveFile(string path)
    {
        public string Path { get; } = path;
        public byte[]? Bytes { get; set; }
        public ContentWriter? Writer { get; set; }
        public string? LayerDir { get; set; }
        public Digest? DiffId { get; set; }
        public CompressionKind Kind { get; set; }
        public string? LayerError { get; set; }
        public bool Committed { get; set; }
        public Digest Digest => Writer?.Digest ?? Digest.FromBytes(Bytes);
        public long Size => Writer?.Size ?? Bytes!.Length;
    }

    /// <summary>Phase 1: reads the whole archive, storing and unpacking large files as it goes.</summary>
    public void Read(Stream archive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        using var reader = new TarReader(archive, leaveOpen: true);
        int count = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry(copyData: false);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
            {
                throw new WharfException(ErrorKind.InvalidArgument, "invalid archive: " + e.Message, e);
            }
            if (entry is null) break;
            if (++count > MaxEntries) throw WharfException.Invalid($"invalid archive: more than {MaxEntries} entries");
            var path = CleanPath(entry.Name);
            if (path is null) continue;
            switch (entry.EntryType)
            {
                case TarEntryType.SymbolicLink:
                    // Legacy saves link a shared layer.tar to the first copy ("../<id>/layer.tar").
                    _links[path] = CleanPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "", entry.LinkName))
                                   ?? throw WharfException.Invalid($"invalid archive: link {entry.Name} points outside the archive");
                    break;
                case TarEntryType.HardLink:
                    _links[path] = CleanPath(entry.LinkName) ?? throw WharfException.Invalid($"invalid archive: link {entry.Name} points outside the archive");
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    ReadFile(path, entry, cancellationToken);
                    break;
            }
        }
    }

    private void ReadFile(string path, TarEntry entry, CancellationToken ct)
    {
        if (_files.Remove(path, out var old)) Discard(old);
        var file = new ArchiveFile(path);
        _files[path] = file;
        var data = entry.DataStream ?? Stream.Null;
        if (entry.Length <= SmallFileLimit && _buffered + entry.Length <= MaxBufferedTotal)
        {
            var bytes = new byte[entry.Length];
            data.ReadExactly(bytes);
            file.Bytes = bytes;
            _buffered += bytes.Length;
            return;
        }
        file.Writer = store.Content.OpenWriter();
        var tee = new TeeReadStream(data, file.Writer);
        TryUnpack(file, tee, ct);
        FinishBlob(file, tee);
    }

    /// <summary>Stores the rest of the file, starts its fsync, and for an uncompressed layer takes the blob digest
    /// as the diffID (the same bytes: no second hash).</summary>
    private static void FinishBlob(ArchiveFile file, TeeReadStream tee)
    {
        tee.Drain();
        file.Writer!.BeginSync();
        if (file.LayerDir is not null && file.Kind == CompressionKind.None) file.DiffId = file.Writer.Digest;
    }

    /// <summary>Unpacks a file as a layer into a temp snapshot dir; a file that is no layer tar only records why.</summary>
    private void TryUnpack(ArchiveFile file, Stream source, CancellationToken ct)
    {
        var dir = store.Snapshots.PrepareLayerDirectory();
        try
        {
            using var tar = LayerCompression.OpenDecompressed(source, out var kind);
            if (kind == CompressionKind.None)
            {
                // The blob is the tar: its digest (known once the rest is drained) is the diffID.
                LayerApplier.Apply(tar, dir, ct);
            }
            else
            {
                using var hashing = new HashingReadStream(tar, leaveOpen: true);
                LayerApplier.Apply(hashing, dir, ct);
                file.DiffId = hashing.Finish();
            }
            file.Kind = kind;
            file.LayerDir = dir;
        }
        catch (Exception e) when (e is WharfException { Kind: ErrorKind.InvalidArgument } or InvalidDataException or FormatException or EndOfStreamException)
        {
            store.Snapshots.AbortLayer(dir);
            file.LayerError = e.Message;
        }
        catch
        {
            store.Snapshots.AbortLayer(dir);
            throw;
        }
    }

    /// <summary>Phase 2: finds the images (manifest.json first, as Docker does, else index.json) and verifies
    /// every blob digest named by the archive and every layer's diffID against its config.</summary>
    public IReadOnlyList<ArchiveImage> Plan(CancellationToken cancellationToken = default)
    {
        List<ArchiveImage> images;
        if (Find("manifest.json") is { } manifestFile) images = FromDockerManifest(manifestFile);
        else if (Find("index.json") is { } indexFile) images = FromOciIndex(indexFile);
        else throw WharfException.Invalid("invalid archive: neither manifest.json nor index.json found (is this a `docker save` or OCI layout tar?)");
        if (images.Count == 0) throw WharfException.Invalid("invalid archive: no images in it");

        foreach (var image in images)
        {
            ImageConfigFile config;
            try
            {
                config = JsonSerializer.Deserialize(image.ConfigJson, OciJsonContext.Default.ImageConfigFile)
                         ?? throw WharfException.Invalid("invalid image config: empty");
            }
            catch (JsonException e)
            {
                throw new WharfException(ErrorKind.InvalidArgument, $"invalid image config {image.Id}: {e.Message}", e);
            }
            var diffIds = config.RootFs?.DiffIds ?? [];
            if (diffIds.Count != image.LayerPaths.Count)
                throw WharfException.Invalid($"invalid archive: image {image.Id} lists {image.LayerPaths.Count} layers but its config has {diffIds.Count} diff_ids");
            for (int i = 0; i < diffIds.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = Require(image.LayerPaths[i], "layer");
                EnsureUnpacked(file, cancellationToken);
                if (file.LayerError is not null) throw WharfException.Invalid($"invalid archive: layer {file.Path} is not a layer tar: {file.LayerError}");
                if (file.Kind is CompressionKind.Bzip2 or CompressionKind.Xz)
                    throw WharfException.Invalid($"invalid archive: layer {file.Path} is {file.Kind.ToString().ToLowerInvariant()}-compressed; only uncompressed, gzip and zstd layers can be stored as they are");
                if (!Digest.TryParse(diffIds[i], out var want) || file.DiffId != want)
                    throw WharfException.Invalid(
                        $"invalid archive: layers from archive don't match image configuration: {file.Path} has diffID {file.DiffId}, config rootfs.diff_ids[{i}] is {diffIds[i]}");
            }
        }
        return images;
    }

    private void EnsureUnpacked(ArchiveFile file, CancellationToken ct)
    {
        if (file.Bytes is null || file.Writer is not null) return;
        file.Writer = store.Content.OpenWriter();
        var tee = new TeeReadStream(new MemoryStream(file.Bytes, writable: false), file.Writer);
        TryUnpack(file, tee, ct);
        FinishBlob(file, tee);
    }

    private List<ArchiveImage> FromDockerManifest(ArchiveFile manifestFile)
    {
        List<ArchiveManifestItem> items;
        try
        {
            items = JsonSerializer.Deserialize(Small(manifestFile), ArchiveJsonContext.Default.ListArchiveManifestItem) ?? [];
        }
        catch (JsonException e)
        {
            throw new WharfException(ErrorKind.InvalidArgument, "invalid archive: manifest.json: " + e.Message, e);
        }
        // Docker 25+ archives also carry the manifest blobs (via index.json): keep them so the image keeps its
        // manifest digest. Anything odd there is ignored, as Docker's loader ignores index.json when manifest.json exists.
        var manifestsByConfig = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (Find("index.json") is { } indexFile)
        {
            try
            {
                var index = JsonSerializer.Deserialize(Small(indexFile), OciJsonContext.Default.ImageIndex);
                foreach (var d in index?.Manifests ?? [])
                {
                    if (!MediaTypes.IsManifest(d.MediaType) || !Digest.TryParse(d.Digest, out var md) || Find(ArchivePathOf(md)) is not { } mf) continue;
                    var bytes = Small(mf);
                    if (Digest.FromBytes(bytes) != md) continue;
                    var m = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.ImageManifest);
                    if (m?.Config.Digest is { Length: > 0 } cd) manifestsByConfig.TryAdd(cd, bytes);
                }
            }
            catch (Exception e) when (e is JsonException or WharfException)
            {
            }
        }

        var images = new List<ArchiveImage>();
        foreach (var item in items)
        {
            if (string.IsNullOrEmpty(item.Config)) throw WharfException.Invalid("invalid archive: manifest.json: an entry has no Config");
            var configFile = Require(item.Config, "config");
            var configBytes = Small(configFile);
            var named = DigestNamed(item.Config);
            if (named is not null && Digest.FromBytes(configBytes) != named)
                throw WharfException.Invalid($"invalid archive: {item.Config}: content digest {Digest.FromBytes(configBytes)} does not match its name");
            foreach (var layer in item.Layers) VerifyNamedBlob(Require(layer, "layer"));
            var id = Digest.FromBytes(configBytes).ToString();
            byte[]? manifest = manifestsByConfig.GetValueOrDefault(id);
            // A stored manifest must describe exactly these layer blobs.
            if (manifest is not null && !ManifestMatches(manifest, item.Layers)) manifest = null;
            foreach (var tag in item.RepoTags ?? [])
                if (!ImageReference.TryParse(tag, out _, out var err)) throw WharfException.Invalid($"invalid archive: manifest.json: RepoTags \"{tag}\": {err}");
            images.Add(new ArchiveImage(configBytes, item.Layers, manifest, item.RepoTags ?? []));
        }
        return images;
    }

    private bool ManifestMatches(byte[] manifestBytes, IReadOnlyList<string> layerPaths)
    {
        try
        {
            var m = JsonSerializer.Deserialize(manifestBytes, OciJsonContext.Default.ImageManifest);
            if (m is null || m.Layers.Count != layerPaths.Count) return false;
            for (int i = 0; i < layerPaths.Count; i++)
                if (Find(layerPaths[i]) is not { } f || f.Digest.ToString() != m.Layers[i].Digest) return false;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private List<ArchiveImage> FromOciIndex(ArchiveFile indexFile)
    {
        if (Find("oci-layout") is { } layoutFile)
        {
            try
            {
                var layout = JsonSerializer.Deserialize(Small(layoutFile), ArchiveJsonContext.Default.OciLayoutFile);
                if (layout?.ImageLayoutVersion != "1.0.0") throw WharfException.Invalid($"invalid archive: oci-layout: unsupported imageLayoutVersion \"{layout?.ImageLayoutVersion}\"");
            }
            catch (JsonException e)
            {
                throw new WharfException(ErrorKind.InvalidArgument, "invalid archive: oci-layout: " + e.Message, e);
            }
        }
        var images = new List<ArchiveImage>();
        CollectFromIndex(indexFile, "index.json", images, depth: 0);
        return images;
    }

    private void CollectFromIndex(ArchiveFile indexFile, string what, List<ArchiveImage> images, int depth)
    {
        if (depth > 4) throw WharfException.Invalid("invalid archive: image indexes nested too deeply");
        ImageIndex index;
        try
        {
            index = JsonSerializer.Deserialize(Small(indexFile), OciJsonContext.Default.ImageIndex) ?? throw WharfException.Invalid($"invalid archive: {what} is empty");
        }
        catch (JsonException e)
        {
            throw new WharfException(ErrorKind.InvalidArgument, $"invalid archive: {what}: {e.Message}", e);
        }
        if (index.Layers is not null) throw WharfException.Invalid($"invalid archive: {what} has both manifests and layers");
        foreach (var d in index.Manifests)
        {
            var file = BlobByDescriptor(d, what);
            if (MediaTypes.IsIndex(d.MediaType))
            {
                CollectFromIndex(file, file.Path, images, depth + 1);
                continue;
            }
            if (!MediaTypes.IsManifest(d.MediaType)) continue; // attestations, artifacts
            if (d.Platform is { } p && (p.Os != "linux" || p.Architecture != "amd64")) continue;
            var manifestBytes = Small(file);
            ImageManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize(manifestBytes, OciJsonContext.Default.ImageManifest) ?? throw WharfException.Invalid($"invalid archive: {file.Path} is empty");
            }
            catch (JsonException e)
            {
                throw new WharfException(ErrorKind.InvalidArgument, $"invalid archive: {file.Path}: {e.Message}", e);
            }
            if (manifest.Manifests is not null) throw WharfException.Invalid($"invalid archive: {file.Path} is both a manifest and an index");
            var configBytes = Small(BlobByDescriptor(manifest.Config, file.Path));
            var layers = new List<string>();
            foreach (var l in manifest.Layers)
            {
                if (!MediaTypes.IsLayer(l.MediaType)) throw WharfException.Invalid($"invalid archive: {file.Path}: unsupported layer media type \"{l.MediaType}\"");
                layers.Add(BlobByDescriptor(l, file.Path).Path);
            }
            var names = new List<string>();
            if (d.Annotations?.GetValueOrDefault("io.containerd.image.name") is { } full && ImageReference.TryParse(full, out var r) && r.Digest is null)
                names.Add(r.WithDefaultTag().ToString());
            else if (d.Annotations?.GetValueOrDefault("org.opencontainers.image.ref.name") is { } refName &&
                     refName.Contains('/', StringComparison.Ordinal) && ImageReference.TryParse(refName, out var r2) && r2.Digest is null && r2.Tag is not null)
                names.Add(r2.ToString());
            images.Add(new ArchiveImage(configBytes, layers, manifestBytes, names));
        }
    }

    private ArchiveFile BlobByDescriptor(Descriptor d, string where)
    {
        if (!Digest.TryParse(d.Digest, out var digest))
            throw WharfException.Invalid($"invalid archive: {where}: invalid digest \"{d.Digest}\"");
        var file = Require(ArchivePathOf(digest), "blob");
        if (file.Digest != digest) throw WharfException.Invalid($"invalid archive: {file.Path}: content digest {file.Digest} does not match its name");
        if (file.Size != d.Size) throw WharfException.Invalid($"invalid archive: {file.Path}: size {file.Size} does not match the descriptor's {d.Size} in {where}");
        return file;
    }

    private void VerifyNamedBlob(ArchiveFile file)
    {
        if (DigestNamed(file.Path) is { } named && file.Digest != named)
            throw WharfException.Invalid($"invalid archive: {file.Path}: content digest {file.Digest} does not match its name");
    }

    /// <summary>The digest an archive path names: blobs/sha256/&lt;hex&gt; or a legacy &lt;hex&gt;.json config.</summary>
    private static Digest? DigestNamed(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (path.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Digest.IsFullHex(name)) return Digest.FromHex(name);
        if (path == name && name.EndsWith(".json", StringComparison.Ordinal) && Digest.IsFullHex(name[..^5])) return Digest.FromHex(name[..^5]);
        return null;
    }

    private static string ArchivePathOf(Digest d) => "blobs/sha256/" + d.Hex;

    /// <summary>Phase 3 (under the image lock): publishes one planned image's layer blobs and snapshots; the
    /// caller registers the config/manifest and names with <see cref="ImageRegistrar"/>. Returns its registration.</summary>
    public ImageRegistration Commit(ArchiveImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var config = JsonSerializer.Deserialize(image.ConfigJson, OciJsonContext.Default.ImageConfigFile)!;
        var chains = ChainId.Compute(config.RootFs.DiffIds);
        var layers = new List<Descriptor>();
        for (int i = 0; i < image.LayerPaths.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var file = Find(image.LayerPaths[i])!;
            if (!file.Committed)
            {
                file.Writer!.Commit();
                file.Committed = true;
            }
            if (!store.Snapshots.LayerExists(chains[i]))
            {
                if (file.LayerDir is { } dir)
                {
                    store.Snapshots.CommitLayer(dir, chains[i]);
                    file.LayerDir = null;
                }
                else
                {
                    // The same layer at a second position (another parent): unpack it again from the stored blob.
                    LayerUnpacker.Unpack(store.Content, store.Snapshots, file.Digest, i == 0 ? null : chains[i - 1], file.DiffId, cancellationToken);
                }
            }
            layers.Add(new Descriptor { MediaType = LayerCompression.MediaType(file.Kind), Digest = file.Digest.ToString(), Size = file.Size });
        }
        return new ImageRegistration(image.ConfigJson, layers, image.ManifestJson);
    }

    /// <summary>After a failed <see cref="Commit"/>: removes the blobs and layers it published that no image uses.
    /// Call under the image lock.</summary>
    public void Rollback(IEnumerable<ArchiveImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var usedChains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in store.Images)
            foreach (var c in store.ChainIds(m.Id)) usedChains.Add(c);
        var inUse = store.Snapshots.LayersInUseByContainers();
        foreach (var image in images)
        {
            var config = JsonSerializer.Deserialize(image.ConfigJson, OciJsonContext.Default.ImageConfigFile)!;
            foreach (var chain in ChainId.Compute(config.RootFs.DiffIds))
                if (!usedChains.Contains(chain) && !inUse.Contains(store.Snapshots.LayerPath(chain))) store.Snapshots.RemoveLayer(chain);
            foreach (var path in image.LayerPaths)
                if (Find(path) is { Committed: true } f && !store.IsBlobReferenced(f.Digest)) store.Content.Delete(f.Digest);
        }
    }

    private ArchiveFile Require(string path, string what)
    {
        var clean = CleanPath(path) ?? throw WharfException.Invalid($"invalid archive: {what} path \"{path}\" is outside the archive");
        return Find(clean) ?? throw WharfException.Invalid($"invalid archive: {what} file \"{path}\" is missing from the archive");
    }

    private ArchiveFile? Find(string path)
    {
        for (int hops = 0; hops < 16; hops++)
        {
            if (_files.TryGetValue(path, out var f)) return f;
            if (!_links.TryGetValue(path, out var next)) return null;
            path = next;
        }
        return null;
    }

    private static byte[] Small(ArchiveFile file)
    {
        if (file.Size > MaxJsonSize) throw WharfException.Invalid($"invalid archive: {file.Path} is {file.Size} bytes, more than a JSON document may be");
        return file.Bytes ?? file.Writer!.ReadBack();
    }

    /// <summary>An archive path made relative and clean; null for the root and for names that climb out.</summary>
    internal static string? CleanPath(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Replace('\\', '/').Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    private void Discard(ArchiveFile f)
    {
        if (f.LayerDir is not null) store.Snapshots.AbortLayer(f.LayerDir);
        f.LayerDir = null;
        f.Writer?.Dispose();
    }

    /// <summary>Removes every temp blob and unpacked directory not committed.</summary>
    public void Dispose()
    {
        foreach (var f in _files.Values) Discard(f);
        _files.Clear();
    }
}
