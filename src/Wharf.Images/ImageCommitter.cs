using System.Text.Json;
using Wharf.Core;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>
/// Makes a new image from a parent image, an optional layer tar and a config (commit and build). The layer is
/// stored uncompressed (as Docker stores locally made layers), unpacked on top of the parent's chain, then the
/// config, manifest and meta are recorded through <see cref="ImageRegistrar"/>; names are the caller's last step.
/// Not thread-safe on one store: call under the image service's lock.
/// </summary>
public static class ImageCommitter
{
    public static ImageMeta Commit(ImageStore store, ImageCommitRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        ImageConfigFile? parent = null;
        var layers = new List<Descriptor>();
        if (request.ParentId is { } parentId)
        {
            if (!store.Exists(parentId)) throw WharfException.NotFound("No such image: " + parentId);
            parent = store.GetConfig(parentId);
            layers.AddRange(ParentLayers(store, parentId));
        }
        var diffIds = new List<string>(parent?.RootFs.DiffIds ?? []);
        var history = new List<HistoryEntry>(parent?.History ?? []);
        var now = DateTimeOffset.UtcNow;

        Digest? layerBlob = null;
        try
        {
            if (request.LayerTar is { } tar)
            {
                var info = store.Content.Ingest(tar, cancellationToken: cancellationToken);
                layerBlob = info.Digest;
                var parentChain = diffIds.Count == 0 ? null : ChainId.Compute(diffIds)[^1];
                var unpacked = LayerUnpacker.Unpack(store.Content, store.Snapshots, info.Digest, parentChain, cancellationToken: cancellationToken);
                diffIds.Add(unpacked.DiffId.ToString());
                layers.Add(new Descriptor { MediaType = MediaTypes.DockerLayer, Digest = info.Digest.ToString(), Size = info.Size });
            }
            history.Add(new HistoryEntry
            {
                Created = now,
                CreatedBy = request.CreatedBy,
                Author = NullIfEmpty(request.Author),
                Comment = NullIfEmpty(request.Comment),
                EmptyLayer = request.LayerTar is null ? true : null,
            });
            var config = new ImageConfigFile
            {
                Created = now,
                Author = NullIfEmpty(request.Author),
                Architecture = parent?.Architecture ?? "amd64",
                Os = parent?.Os ?? "linux",
                Variant = parent?.Variant,
                Config = request.Config,
                ContainerConfig = request.ContainerConfig,
                Comment = NullIfEmpty(request.Comment),
                RootFs = new RootFs { DiffIds = diffIds },
                History = history,
            };
            var configJson = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.ImageConfigFile);
            var meta = ImageRegistrar.Register(store, new ImageRegistration(configJson, layers, Parent: request.ParentId), cancellationToken);
            layerBlob = null;
            return meta;
        }
        finally
        {
            if (layerBlob is { } orphan && !store.IsBlobReferenced(orphan)) store.Content.Delete(orphan);
        }
    }

    /// <summary>
    /// `--cache-from`: the image <paramref name="sourceId"/> was after its first <paramref name="historyCount"/> steps,
    /// made from the source's own layer blobs and history (no layer is rebuilt), with the builder's candidate
    /// <paramref name="config"/>. Docker's legacy builder restores cache images from a source chain the same way.
    /// </summary>
    public static ImageMeta CommitPrefix(ImageStore store, string? parentId, string sourceId, int historyCount, ImageRunConfig config,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.Exists(sourceId)) throw WharfException.NotFound("No such image: " + sourceId);
        var source = store.GetConfig(sourceId);
        var history = (source.History ?? []).Take(historyCount).ToList();
        if (history.Count != historyCount) throw WharfException.Invalid($"image {sourceId} has fewer than {historyCount} history entries");
        var layerCount = history.Count(h => h.EmptyLayer != true);
        var layers = ParentLayers(store, sourceId).Take(layerCount).ToList();
        if (layers.Count != layerCount || source.RootFs.DiffIds.Count < layerCount)
            throw WharfException.Invalid($"image {sourceId}: its history names more layers than it has");
        var image = source with
        {
            Created = history[^1].Created,
            Config = config,
            RootFs = new RootFs { DiffIds = source.RootFs.DiffIds.Take(layerCount).ToList() },
            History = history,
        };
        var configJson = JsonSerializer.SerializeToUtf8Bytes(image, OciJsonContext.Default.ImageConfigFile);
        return ImageRegistrar.Register(store, new ImageRegistration(configJson, layers, Parent: parentId), cancellationToken);
    }

    /// <summary>The parent's layer descriptors, from its stored manifest when it has one.</summary>
    private static IEnumerable<Descriptor> ParentLayers(ImageStore store, string parentId)
    {
        var meta = store.Get(parentId)!;
        if (meta.ManifestDigest is { } m && Digest.TryParse(m, out var md) && store.Content.Exists(md))
        {
            var manifest = JsonSerializer.Deserialize(store.Content.ReadAllBytes(md), OciJsonContext.Default.ImageManifest);
            if (manifest is not null && manifest.Layers.Count == meta.LayerBlobs.Count) return manifest.Layers;
        }
        return meta.LayerBlobs.Select(b => new Descriptor
        {
            MediaType = MediaTypes.DockerLayer,
            Digest = b,
            Size = store.Content.Info(Digest.Parse(b))?.Size ?? 0,
        });
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
