using System.Text.Json;
using Wharf.Core;
using Wharf.Images.Layers;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>
/// Turns a root filesystem tar (plain, gzip, zstd or bzip2) into a one-layer image. Order matters for crash
/// safety: layer blob → snapshot → config blob → manifest blob → image meta; the caller writes the name last.
/// Not thread-safe on one <see cref="ImageStore"/>: call under the image service's lock.
/// </summary>
public static class ImageImporter
{
    public static ImageMeta Import(ImageStore store, Stream input, ImportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(request);
        var runConfig = ChangeParser.Apply(request.Config, request.Changes);

        var raw = store.Content.Ingest(input, cancellationToken: cancellationToken);
        var layerBlob = raw.Digest;
        var layerSize = raw.Size;
        var created = new List<Digest> { raw.Digest };
        try
        {
            CompressionKind kind;
            using (var s = store.Content.OpenRead(raw.Digest))
            {
                var head = new byte[6];
                int n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                kind = LayerCompression.Detect(head.AsSpan(0, n));
            }
            if (kind is CompressionKind.Bzip2)
            {
                // Manifests have no bzip2 layer type: keep the layer uncompressed, as Docker does.
                using var s = store.Content.OpenRead(raw.Digest);
                using var tar = LayerCompression.OpenDecompressed(s, out _);
                var plain = store.Content.Ingest(tar, cancellationToken: cancellationToken);
                created.Add(plain.Digest);
                layerBlob = plain.Digest;
                layerSize = plain.Size;
                kind = CompressionKind.None;
            }
            else if (kind is CompressionKind.Xz)
            {
                throw WharfException.Invalid("xz-compressed archives are not supported; use gzip, zstd or bzip2");
            }
            var mediaType = LayerCompression.MediaType(kind);

            var layer = LayerUnpacker.Unpack(store.Content, store.Snapshots, layerBlob, parentChainId: null, cancellationToken: cancellationToken);

            var now = DateTimeOffset.UtcNow;
            var message = string.IsNullOrEmpty(request.Message) ? "Imported from " + request.Source : request.Message;
            var config = new ImageConfigFile
            {
                Created = now,
                Architecture = request.Architecture,
                Os = request.Os,
                Config = runConfig,
                Comment = message,
                RootFs = new RootFs { DiffIds = [layer.DiffId.ToString()] },
                History = [new HistoryEntry { Created = now, Comment = message }],
            };
            var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.ImageConfigFile);
            var configInfo = store.Content.Write(configBytes);
            created.Add(configInfo.Digest);

            var manifest = new ImageManifest
            {
                SchemaVersion = 2,
                MediaType = MediaTypes.DockerManifest,
                Config = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = configInfo.Digest.ToString(), Size = configBytes.Length },
                Layers = [new Descriptor { MediaType = mediaType, Digest = layerBlob.ToString(), Size = layerSize }],
            };
            var manifestInfo = store.Content.Write(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.ImageManifest));
            created.Add(manifestInfo.Digest);

            var id = configInfo.Digest.ToString();
            var existing = store.Get(id);
            if (existing is not null) return existing;
            var meta = new ImageMeta
            {
                Id = id,
                ManifestDigest = manifestInfo.Digest.ToString(),
                LayerBlobs = [layerBlob.ToString()],
                Size = layer.Size > 0 ? layer.Size : SizeOf(store, layer.ChainId),
                Added = now,
            };
            store.Add(meta);
            created.Clear();
            return meta;
        }
        finally
        {
            // On failure, drop the blobs this import created that no image uses.
            foreach (var d in created)
                if (!store.IsBlobReferenced(d)) store.Content.Delete(d);
        }
    }

    /// <summary>Bytes under a committed layer (used when the layer already existed), each hard-linked file once.</summary>
    internal static long SizeOf(ImageStore store, string chainId) => Wharf.Snapshots.DiskUsage.Of(store.Snapshots.LayerPath(chainId));
}
