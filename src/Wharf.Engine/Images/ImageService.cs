using System.Globalization;
using Wharf.Api.Images;
using Wharf.Content;
using Wharf.Core;
using Wharf.Images;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;
using Wharf.Snapshots;

namespace Wharf.Engine.Images;

/// <summary>
/// The daemon's images: import, list, inspect, tag, remove, and name → image resolution for containers.
/// Storage: &lt;dataRoot&gt;/content (blobs), &lt;dataRoot&gt;/snapshots (unpacked layers, container layers),
/// &lt;dataRoot&gt;/image (names and per-image metadata as JSON files).
/// Thread-safety: every public member is safe to call concurrently; they serialize on one lock (imports
/// included, so a long import delays other image calls — the layer work could move outside the lock later).
/// <see cref="Usage"/> is never called while that lock is held, so the container service may call into this
/// service while holding its own locks.
/// </summary>
public sealed partial class ImageService : IImageResolver
{
    private readonly object _lock = new();

    public ImageService(string dataRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataRoot);
        DataRoot = Path.GetFullPath(dataRoot);
        Content = new LocalContentStore(Path.Combine(DataRoot, "content"));
        Snapshots = new OverlaySnapshotter(Path.Combine(DataRoot, "snapshots"));
        Store = new ImageStore(Path.Combine(DataRoot, "image"), Content, Snapshots);
    }

    public string DataRoot { get; }
    public LocalContentStore Content { get; }
    public OverlaySnapshotter Snapshots { get; }

    /// <summary>Image metadata; use only under <see cref="SyncRoot"/> (other subsystems such as pull/load/build).</summary>
    public ImageStore Store { get; }

    /// <summary>The lock every image operation holds.</summary>
    public object SyncRoot => _lock;

    /// <summary>Who uses images (the container service); null means "nobody", e.g. in tests.</summary>
    public IImageUsage? Usage { get; set; }

    // ---- import / tag ---------------------------------------------------------------------------------

    /// <summary>`docker import`: a rootfs tar (plain/gzip/zstd/bzip2) → one-layer image, optionally named
    /// repo[:tag] (the name is written last). Returns the image id "sha256:…".</summary>
    public string Import(Stream input, string? repo = null, string? tag = null, string? message = null,
        IReadOnlyList<string>? changes = null, CancellationToken cancellationToken = default)
    {
        ImageReference? name = null;
        if (!string.IsNullOrEmpty(repo)) name = ParseTagTarget(repo, tag);
        else if (!string.IsNullOrEmpty(tag)) throw WharfException.Invalid("tag given without a repository name");
        lock (_lock)
        {
            var meta = ImageImporter.Import(Store, input, new ImportRequest(message, changes), cancellationToken);
            Emit("import", meta.Id, meta.Id);
            if (name is not null) SetTag(name, meta.Id);
            return meta.Id;
        }
    }

    /// <summary>Records an image whose layer blobs are in <see cref="Content"/> (pull, load, build, commit), then
    /// points the given names at it (last). Returns the image id.</summary>
    public string Register(ImageRegistration registration, IReadOnlyList<string>? names = null, CancellationToken cancellationToken = default)
    {
        var targets = (names ?? []).Select(n => ParseTagTarget(n, null)).ToList();
        lock (_lock)
        {
            var meta = ImageRegistrar.Register(Store, registration, cancellationToken);
            foreach (var t in targets) SetTag(t, meta.Id);
            return meta.Id;
        }
    }

    /// <summary>GET /images/{name}/history: the config's history, newest first.</summary>
    public IReadOnlyList<ImageHistoryItem> History(string reference)
    {
        lock (_lock)
        {
            var id = ResolveId(reference, out _);
            var config = Store.GetConfig(id);
            var (tags, _) = Names(id);
            var history = config.History ?? [];
            // Each history entry that made a layer owns the next layer bottom-up; its size is what that layer's own
            // snapshot holds (hard links once), as `docker history` shows per step.
            var chains = ChainId.Compute(config.RootFs.DiffIds);
            var layerOf = new int[history.Count];
            for (int i = 0, layer = 0; i < history.Count; i++) layerOf[i] = history[i].EmptyLayer == true ? -1 : layer++;
            var items = new List<ImageHistoryItem>(history.Count);
            for (int i = history.Count - 1; i >= 0; i--)
            {
                var h = history[i];
                bool top = i == history.Count - 1;
                long size = layerOf[i] >= 0 && layerOf[i] < chains.Count && Store.Snapshots.LayerExists(chains[layerOf[i]])
                    ? Wharf.Snapshots.DiskUsage.Of(Store.Snapshots.LayerPath(chains[layerOf[i]]))
                    : 0;
                items.Add(new ImageHistoryItem(top ? id : "<missing>", (h.Created ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds(),
                    h.CreatedBy ?? "", top && tags.Count > 0 ? tags : null, size, h.Comment ?? ""));
            }
            return items;
        }
    }

    /// <summary>POST /images/{name}/tag?repo=&amp;tag=: points repo[:tag] at the image <paramref name="source"/>.</summary>
    public void Tag(string source, string repo, string? tag = null)
    {
        var target = ParseTagTarget(repo, tag);
        lock (_lock)
        {
            var id = ResolveId(source, out _);
            SetTag(target, id);
        }
    }

    private static ImageReference ParseTagTarget(string repo, string? tag)
    {
        var r = ImageReference.Parse(repo);
        if (r.Digest is not null) throw WharfException.Invalid("refusing to create a tag with a digest reference");
        if (!string.IsNullOrEmpty(tag))
        {
            if (!ImageReference.IsValidTag(tag)) throw WharfException.Invalid($"invalid tag format");
            r = r.WithTag(tag);
        }
        return r.WithDefaultTag();
    }

    private void SetTag(ImageReference target, string id)
    {
        Store.SetReference(target, id);
        if (Store.Get(id) is { } meta) Store.Update(meta with { LastTagTime = DateTimeOffset.UtcNow });
        Emit("tag", id, target.FamiliarString);
    }

    // ---- resolution -----------------------------------------------------------------------------------

    public ResolvedImage Resolve(string reference)
    {
        lock (_lock)
        {
            var id = ResolveId(reference, out _);
            return new ResolvedImage(id, Store.GetConfig(id));
        }
    }

    /// <summary>The parsed config blob of an image (by any reference form).</summary>
    public ImageConfigFile GetImageConfig(string reference) => Resolve(reference).Config;

    /// <summary>Unpacked size of an image's layers in bytes.</summary>
    public long GetImageSize(string imageId)
    {
        lock (_lock) return Store.Get(imageId)?.Size ?? throw WharfException.NotFound("No such image: " + imageId);
    }

    /// <summary>Image id for a name, name:tag, name@digest, name:tag@digest, full/short id or sha256:id.</summary>
    private string ResolveId(string refOrId, out ImageReference? named)
    {
        named = null;
        if (string.IsNullOrEmpty(refOrId)) throw WharfException.NotFound("No such image: " + refOrId);
        if (Digest.IsFullHex(refOrId))
            return Store.Exists("sha256:" + refOrId) ? "sha256:" + refOrId : throw WharfException.NotFound("No such image: " + refOrId);
        if (refOrId.StartsWith("sha256:", StringComparison.Ordinal))
        {
            if (Store.Exists(refOrId)) return refOrId;
            var prefix = refOrId[7..];
            if (prefix.Length > 0 && IsHex(prefix) && SearchPrefix(prefix) is { } byPrefix) return byPrefix;
            throw WharfException.NotFound("No such image: " + refOrId);
        }
        if (ImageReference.TryParse(refOrId, out var parsed, out var parseError))
        {
            named = parsed;
            var key = parsed.Digest is not null ? parsed.NameOnly().WithDigest(parsed.Digest) : parsed.WithDefaultTag();
            if (Store.Lookup(key) is { } id) return id;
            if (parsed.Digest is not null && parsed.Tag is null && Store.Exists(parsed.Digest) &&
                Store.References(parsed.Digest).Any(r => r.Name == parsed.Name))
                return parsed.Digest;
        }
        if (IsHex(refOrId) && SearchPrefix(refOrId) is { } found) return found;
        if (named is null) throw WharfException.Invalid(parseError);
        throw WharfException.NotFound("No such image: " + named.WithDefaultTag().FamiliarString);
    }

    private string? SearchPrefix(string hexPrefix)
    {
        string? found = null;
        foreach (var m in Store.Images)
        {
            if (!m.Id.AsSpan(7).StartsWith(hexPrefix, StringComparison.Ordinal)) continue;
            if (found is not null) throw WharfException.Invalid("multiple IDs found with provided prefix: " + hexPrefix);
            found = m.Id;
        }
        return found;
    }

    private static bool IsHex(string s) => s.Length is > 0 and <= 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    // ---- container root file systems ----------------------------------------------------------------

    public IReadOnlyList<Mount> PrepareContainerRootfs(string containerId, string imageId)
    {
        lock (_lock)
        {
            if (Snapshots.ContainerExists(containerId)) return Snapshots.ContainerMounts(containerId);
            if (!Store.Exists(imageId)) throw WharfException.NotFound("No such image: " + imageId);
            return Snapshots.PrepareContainer(containerId, Store.ChainIds(imageId));
        }
    }

    public IReadOnlyList<Mount> ContainerRootfsMounts(string containerId) => Snapshots.ContainerMounts(containerId);

    public void RemoveContainerRootfs(string containerId)
    {
        lock (_lock)
        {
            if (!Snapshots.ContainerExists(containerId))
            {
                Snapshots.RemoveContainer(containerId); // a half-created one
                return;
            }
            var lowers = Snapshots.ContainerMounts(containerId)[0].Options
                .First(o => o.StartsWith("lowerdir=", StringComparison.Ordinal))["lowerdir=".Length..].Split(':');
            Snapshots.RemoveContainer(containerId);
            // Layers of an image removed with -f while this container existed are orphans now. Cheap in the
            // common case: only this container's layers are candidates, and usually an image still holds them.
            var candidates = Snapshots.Layers().Where(c => lowers.Contains(Snapshots.LayerPath(c))).ToHashSet(StringComparer.Ordinal);
            if (candidates.Count == 0) return;
            foreach (var m in Store.Images)
                foreach (var c in Store.ChainIds(m.Id)) candidates.Remove(c);
            if (candidates.Count == 0) return;
            var inUse = Snapshots.LayersInUseByContainers();
            foreach (var chain in candidates)
                if (!inUse.Contains(Snapshots.LayerPath(chain))) Snapshots.RemoveLayer(chain);
        }
    }

    // ---- helpers shared by the query/remove parts --------------------------------------------------

    private (List<string> Tags, List<string> Digests) Names(string id)
    {
        var tags = new List<string>();
        var digests = new List<string>();
        foreach (var r in Store.References(id))
        {
            if (r.Digest is not null) digests.Add(r.FamiliarString);
            else tags.Add(r.FamiliarString);
        }
        return (tags, digests);
    }

    internal static string FormatTime(DateTimeOffset? t) =>
        (t ?? DateTimeOffset.UnixEpoch).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
