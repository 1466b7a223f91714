using System.Formats.Tar;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Wharf.Core;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;

namespace Wharf.Images.Archive;

/// <summary>One image to save: its id and the names to record for it (none when saved by id).</summary>
public sealed record SaveItem(string ImageId, IReadOnlyList<ImageReference> Names);

/// <summary>
/// `docker save` in the layout Docker 25+ writes: an OCI image layout (oci-layout, index.json, blobs/sha256/…)
/// plus the legacy manifest.json and repositories files, so both old and new loaders (and skopeo's oci: and
/// docker-archive: transports) read it. Layer blobs are written exactly as stored (gzip stays gzip, nothing is
/// recompressed) and every blob appears once however many images share it.
/// <see cref="Prepare"/> runs under the image lock and opens every blob, so a concurrent removal cannot pull a
/// file out from under the stream; <see cref="WriteAsync"/> then streams without the lock.
/// </summary>
public sealed class ImageArchiveWriter : IDisposable
{
    private readonly List<(string Path, Stream Data)> _blobs = [];
    private readonly List<ArchiveManifestItem> _manifest = [];
    private readonly List<Descriptor> _index = [];
    private readonly Dictionary<string, Dictionary<string, string>> _repositories = new(StringComparer.Ordinal);

    private ImageArchiveWriter() { }

    /// <summary>Collects (and opens) everything the archive needs. Call under the image service's lock.</summary>
    public static ImageArchiveWriter Prepare(ImageStore store, IReadOnlyList<SaveItem> items)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(items);
        var w = new ImageArchiveWriter();
        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                var meta = store.Get(item.ImageId) ?? throw WharfException.NotFound("No such image: " + item.ImageId);
                store.GetConfig(meta.Id); // verifies the config blob against the id before it is sent
                var configDigest = Digest.Parse(meta.Id);
                byte[] manifestBytes = ManifestOf(store, meta);
                var manifestDigest = Digest.FromBytes(manifestBytes);

                w.AddBlob(seen, configDigest, () => store.Content.OpenRead(configDigest));
                var layerPaths = new List<string>();
                foreach (var l in meta.LayerBlobs)
                {
                    var d = Digest.Parse(l);
                    w.AddBlob(seen, d, () => store.Content.OpenRead(d));
                    layerPaths.Add(BlobPath(d));
                }
                w.AddBlob(seen, manifestDigest, () => new MemoryStream(manifestBytes, writable: false));

                var tags = item.Names.Where(n => n.Tag is not null).ToList();
                w._manifest.Add(new ArchiveManifestItem
                {
                    Config = BlobPath(configDigest),
                    RepoTags = [.. tags.Select(t => t.FamiliarString)],
                    Layers = layerPaths,
                });
                var mediaType = MediaTypeOf(manifestBytes);
                if (tags.Count == 0)
                    w._index.Add(new Descriptor { MediaType = mediaType, Digest = manifestDigest.ToString(), Size = manifestBytes.Length });
                foreach (var t in tags)
                {
                    w._index.Add(new Descriptor
                    {
                        MediaType = mediaType, Digest = manifestDigest.ToString(), Size = manifestBytes.Length,
                        Annotations = new Dictionary<string, string>
                        {
                            ["io.containerd.image.name"] = t.ToString(),
                            ["org.opencontainers.image.ref.name"] = t.Tag!,
                        },
                    });
                    if (!w._repositories.TryGetValue(t.FamiliarName, out var map)) w._repositories[t.FamiliarName] = map = new(StringComparer.Ordinal);
                    // Legacy loaders read the top layer's v1 id here; the config id is what Docker 25+ writes
                    // for images without v1 ids and what its own loader ignores.
                    map[t.Tag!] = configDigest.Hex;
                }
            }
            return w;
        }
        catch
        {
            w.Dispose();
            throw;
        }
    }

    /// <summary>The image's stored manifest (what push writes too); a Docker schema2 one for the rare image without.</summary>
    private static byte[] ManifestOf(ImageStore store, ImageMeta meta)
    {
        if (meta.ManifestDigest is not null) return store.Content.ReadAllBytes(Digest.Parse(meta.ManifestDigest));
        var configInfo = store.Content.Info(Digest.Parse(meta.Id)) ?? throw WharfException.NotFound("No such image: " + meta.Id);
        return JsonSerializer.SerializeToUtf8Bytes(new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.DockerManifest,
            Config = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = meta.Id, Size = configInfo.Size },
            Layers = [.. meta.LayerBlobs.Select(l => new Descriptor
            {
                MediaType = MediaTypes.DockerLayer, Digest = l, Size = store.Content.Info(Digest.Parse(l))?.Size ?? 0,
            })],
        }, OciJsonContext.Default.ImageManifest);
    }

    private static string MediaTypeOf(byte[] manifest)
    {
        try
        {
            return JsonSerializer.Deserialize(manifest, OciJsonContext.Default.ImageManifest)?.MediaType ?? MediaTypes.OciManifest;
        }
        catch (JsonException)
        {
            return MediaTypes.OciManifest;
        }
    }

    internal static string BlobPath(Digest d) => "blobs/sha256/" + d.Hex;

    private void AddBlob(HashSet<string> seen, Digest digest, Func<Stream> open)
    {
        if (seen.Add(digest.Hex)) _blobs.Add((BlobPath(digest), open()));
    }

    /// <summary>Streams the archive: blobs first, then the small index files (as Docker orders them).</summary>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WriteDirAsync(tar, "blobs/", cancellationToken).ConfigureAwait(false);
        await WriteDirAsync(tar, "blobs/sha256/", cancellationToken).ConfigureAwait(false);
        foreach (var (path, data) in _blobs)
            await WriteFileAsync(tar, path, data, cancellationToken).ConfigureAwait(false);
        var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = _index };
        await WriteFileAsync(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, (JsonTypeInfo<ImageIndex>)Relaxed.GetTypeInfo(typeof(ImageIndex))), cancellationToken).ConfigureAwait(false);
        await WriteFileAsync(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(_manifest, ArchiveJsonContext.Default.ListArchiveManifestItem), cancellationToken).ConfigureAwait(false);
        await WriteFileAsync(tar, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ArchiveJsonContext.Default.OciLayoutFile), cancellationToken).ConfigureAwait(false);
        if (_repositories.Count > 0)
            await WriteFileAsync(tar, "repositories", JsonSerializer.SerializeToUtf8Bytes(_repositories, ArchiveJsonContext.Default.DictionaryStringDictionaryStringString), cancellationToken).ConfigureAwait(false);
    }

    // Media types contain '+', which the default encoder writes as \u002B; Docker writes it plainly.
    private static readonly JsonSerializerOptions Relaxed = new(OciJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Task WriteFileAsync(TarWriter tar, string name, byte[] data, CancellationToken ct) =>
        WriteFileAsync(tar, name, new MemoryStream(data, writable: false), ct);

    private static async Task WriteFileAsync(TarWriter tar, string name, Stream data, CancellationToken ct)
    {
        // Ustar needs no extended header per entry; only blobs of 8 GiB and more need PAX.
        TarEntry e = data.Length >= 8L << 30
            ? new PaxTarEntry(TarEntryType.RegularFile, name)
            : new UstarTarEntry(TarEntryType.RegularFile, name);
        e.Mode = (UnixFileMode)0x1a4;
        e.ModificationTime = DateTimeOffset.UnixEpoch;
        e.DataStream = data;
        await tar.WriteEntryAsync(e, ct).ConfigureAwait(false);
    }

    private static Task WriteDirAsync(TarWriter tar, string name, CancellationToken ct) =>
        tar.WriteEntryAsync(new UstarTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ed, ModificationTime = DateTimeOffset.UnixEpoch }, ct);

    public void Dispose()
    {
        foreach (var (_, data) in _blobs) data.Dispose();
        _blobs.Clear();
    }
}
