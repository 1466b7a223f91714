using System.Text.Json;
using Wharf.Core;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>
/// Records an image from blobs in the content store: verifies that layer diffIDs match the config's
/// rootfs.diff_ids while unpacking missing snapshots, writes the config and manifest blobs, then the meta file.
/// Names are the caller's last step. Not thread-safe on one store: call under the image service's lock.
/// </summary>
public static class ImageRegistrar
{
    public static ImageMeta Register(ImageStore store, ImageRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registration);
        ImageConfigFile config;
        try
        {
            config = JsonSerializer.Deserialize(registration.ConfigJson, OciJsonContext.Default.ImageConfigFile)
                     ?? throw WharfException.Invalid("image config is empty");
        }
        catch (JsonException e)
        {
            throw new WharfException(ErrorKind.InvalidArgument, "invalid image config: " + e.Message, e);
        }
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != registration.Layers.Count)
            throw WharfException.Invalid("layers from manifest don't match image configuration");

        string? parentChain = null;
        long size = 0;
        for (int i = 0; i < diffIds.Count; i++)
        {
            var blob = Digest.Parse(registration.Layers[i].Digest);
            var diffId = Digest.Parse(diffIds[i]);
            var unpacked = LayerUnpacker.Unpack(store.Content, store.Snapshots, blob, parentChain, diffId, cancellationToken);
            size += unpacked.Size > 0 ? unpacked.Size : ImageImporter.SizeOf(store, unpacked.ChainId);
            parentChain = unpacked.ChainId;
        }

        var configInfo = store.Content.Write(registration.ConfigJson);
        var manifestBytes = registration.ManifestJson ?? JsonSerializer.SerializeToUtf8Bytes(new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.DockerManifest,
            Config = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = configInfo.Digest.ToString(), Size = registration.ConfigJson.Length },
            Layers = registration.Layers,
        }, OciJsonContext.Default.ImageManifest);
        var manifestInfo = store.Content.Write(manifestBytes);

        var id = configInfo.Digest.ToString();
        if (store.Get(id) is { } existing)
        {
            if (existing.ManifestDigest == manifestInfo.Digest.ToString()) return existing;
            var updated = existing with { ManifestDigest = manifestInfo.Digest.ToString(), LayerBlobs = registration.Layers.Select(l => l.Digest).ToList() };
            store.Update(updated);
            return updated;
        }
        var meta = new ImageMeta
        {
            Id = id,
            ManifestDigest = manifestInfo.Digest.ToString(),
            LayerBlobs = registration.Layers.Select(l => l.Digest).ToList(),
            Parent = registration.Parent,
            Size = registration.Size ?? size,
            Added = DateTimeOffset.UtcNow,
        };
        store.Add(meta);
        return meta;
    }
}
