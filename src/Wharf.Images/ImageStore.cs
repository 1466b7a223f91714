using System.Text.Json;
using Wharf.Content;
using Wharf.Core;
using Wharf.Interop;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;
using Wharf.Snapshots;

namespace Wharf.Images;

/// <summary>
/// Image metadata on disk — per-object JSON files written with <see cref="AtomicFile"/> (no database):
/// &lt;root&gt;/meta/&lt;hex&gt;.json per image and &lt;root&gt;/repositories.json for names. Blobs live in the
/// content store and layers in the snapshotter; this class ties them together.
/// Crash safety: an image's meta file is written after its blobs and snapshots, a name after the image;
/// at construction, images whose blobs/snapshots are missing and names pointing at missing images are dropped.
/// NOT thread-safe: the image service serializes every call under its lock.
/// </summary>
public sealed class ImageStore
{
    private readonly string _metaDir;
    private readonly string _repositoriesFile;
    private readonly Dictionary<string, ImageMeta> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImageConfigFile> _configs = new(StringComparer.Ordinal);
    // full reference string → image id
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);

    public ImageStore(string root, LocalContentStore content, OverlaySnapshotter snapshots)
    {
        Root = Path.GetFullPath(root);
        Content = content ?? throw new ArgumentNullException(nameof(content));
        Snapshots = snapshots ?? throw new ArgumentNullException(nameof(snapshots));
        _metaDir = Path.Combine(Root, "meta");
        _repositoriesFile = Path.Combine(Root, "repositories.json");
        Directory.CreateDirectory(_metaDir);
        Load();
    }

    public string Root { get; }
    public LocalContentStore Content { get; }
    public OverlaySnapshotter Snapshots { get; }

    public IReadOnlyCollection<ImageMeta> Images => _images.Values;

    public bool Exists(string id) => _images.ContainsKey(id);

    public ImageMeta? Get(string id) => _images.GetValueOrDefault(id);

    /// <summary>The image's config, read once from the content store and verified against the id.</summary>
    public ImageConfigFile GetConfig(string id)
    {
        if (_configs.TryGetValue(id, out var cached)) return cached;
        var digest = Digest.Parse(id);
        var bytes = Content.ReadAllBytes(digest);
        if (Digest.FromBytes(bytes) != digest) throw WharfException.Internal($"image config verification failed for {id}");
        var config = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.ImageConfigFile)
                     ?? throw WharfException.Internal($"image config {id} is empty");
        _configs[id] = config;
        return config;
    }

    /// <summary>Chain IDs of the image's layers, bottom first.</summary>
    public IReadOnlyList<string> ChainIds(string id) => ChainId.Compute(GetConfig(id).RootFs.DiffIds);

    /// <summary>Records a complete image (blobs and snapshots must already be durable).</summary>
    public void Add(ImageMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var digest = Digest.Parse(meta.Id);
        AtomicFile.FsyncDirectory(Content.BlobDirectory);
        WriteMeta(digest, meta);
        _images[meta.Id] = meta;
    }

    public void Update(ImageMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        WriteMeta(Digest.Parse(meta.Id), meta);
        _images[meta.Id] = meta;
    }

    private void WriteMeta(Digest digest, ImageMeta meta) =>
        AtomicFile.WriteAllBytes(Path.Combine(_metaDir, digest.Hex + ".json"), JsonSerializer.SerializeToUtf8Bytes(meta, ImagesJsonContext.Default.ImageMeta));

    /// <summary>The image a name points at, or null.</summary>
    public string? Lookup(ImageReference reference) => _refs.GetValueOrDefault(reference.ToString());

    /// <summary>Every reference pointing at the image.</summary>
    public IReadOnlyList<ImageReference> References(string id) =>
        _refs.Where(kv => kv.Value == id).Select(kv => ImageReference.Parse(kv.Key)).OrderBy(r => r.ToString(), StringComparer.Ordinal).ToList();

    public IEnumerable<KeyValuePair<string, string>> AllReferences => _refs;

    /// <summary>Points a name at an image (the image must exist), persisting the names file.</summary>
    public void SetReference(ImageReference reference, string id)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!_images.ContainsKey(id)) throw WharfException.NotFound($"No such image: {id}");
        _refs[reference.ToString()] = id;
        SaveReferences();
    }

    /// <summary>Removes a name. Returns false when it did not exist.</summary>
    public bool RemoveReference(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!_refs.Remove(reference.ToString())) return false;
        SaveReferences();
        return true;
    }

    /// <summary>
    /// Deletes an image's metadata, then every blob and layer snapshot no other image (or container snapshot)
    /// still uses. Names must have been removed. Returns the chain IDs of removed layers.
    /// </summary>
    public IReadOnlyList<string> Delete(string id)
    {
        if (!_images.TryGetValue(id, out var meta)) return [];
        IReadOnlyList<string> chains;
        try { chains = ChainIds(id); } catch (WharfException) { chains = []; }
        var digest = Digest.Parse(id);
        // The meta file goes first: from then on the image does not exist, whatever happens to its blobs.
        File.Delete(Path.Combine(_metaDir, digest.Hex + ".json"));
        _images.Remove(id);
        foreach (var r in _refs.Where(kv => kv.Value == id).Select(kv => kv.Key).ToList()) _refs.Remove(r);
        SaveReferences();

        var usedBlobs = new HashSet<string>(StringComparer.Ordinal);
        var usedChains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in _images.Values)
        {
            usedBlobs.Add(other.Id);
            if (other.ManifestDigest is not null) usedBlobs.Add(other.ManifestDigest);
            foreach (var l in other.LayerBlobs) usedBlobs.Add(l);
            try { foreach (var c in ChainIds(other.Id)) usedChains.Add(c); } catch (WharfException) { }
        }
        var inUseDirs = Snapshots.LayersInUseByContainers();
        var removed = new List<string>();
        foreach (var chain in chains.Reverse())
        {
            if (usedChains.Contains(chain) || inUseDirs.Contains(Snapshots.LayerPath(chain))) continue;
            Snapshots.RemoveLayer(chain);
            removed.Add(chain);
        }
        foreach (var blob in new[] { meta.ManifestDigest, id }.Concat(meta.LayerBlobs))
        {
            if (blob is null || usedBlobs.Contains(blob)) continue;
            if (Digest.TryParse(blob, out var d)) Content.Delete(d);
        }
        _configs.Remove(id);
        return removed;
    }

    /// <summary>True when some stored image uses the blob (as config, manifest or layer).</summary>
    public bool IsBlobReferenced(Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var d = digest.ToString();
        return _images.Values.Any(m => m.Id == d || m.ManifestDigest == d || m.LayerBlobs.Contains(d));
    }

    private void SaveReferences()
    {
        var file = new RepositoriesFile();
        foreach (var (full, id) in _refs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var name = ImageReference.Parse(full).Name;
            if (!file.Repositories.TryGetValue(name, out var map))
                file.Repositories[name] = map = new Dictionary<string, string>(StringComparer.Ordinal);
            map[full] = id;
        }
        AtomicFile.WriteAllBytes(_repositoriesFile, JsonSerializer.SerializeToUtf8Bytes(file, ImagesJsonContext.Default.RepositoriesFile));
    }

    private void Load()
    {
        foreach (var path in Directory.EnumerateFiles(_metaDir, "*.json"))
        {
            ImageMeta? meta = null;
            try
            {
                meta = JsonSerializer.Deserialize(File.ReadAllBytes(path), ImagesJsonContext.Default.ImageMeta);
            }
            catch (JsonException)
            {
            }
            if (meta is null || !Digest.TryParse(meta.Id, out var id) || Path.GetFileNameWithoutExtension(path) != id.Hex || !IsComplete(meta))
            {
                // A meta file that does not describe a complete image must not make one appear.
                File.Delete(path);
                continue;
            }
            _images[meta.Id] = meta;
        }

        if (!File.Exists(_repositoriesFile)) return;
        RepositoriesFile? repos = null;
        try
        {
            repos = JsonSerializer.Deserialize(File.ReadAllBytes(_repositoriesFile), ImagesJsonContext.Default.RepositoriesFile);
        }
        catch (JsonException)
        {
        }
        bool dropped = repos is null;
        foreach (var map in repos?.Repositories.Values ?? Enumerable.Empty<Dictionary<string, string>>())
        {
            foreach (var (full, id) in map)
            {
                if (_images.ContainsKey(id) && ImageReference.TryParse(full, out var r) && r.ToString() == full) _refs[full] = id;
                else dropped = true;
            }
        }
        if (dropped) SaveReferences();
    }

    private bool IsComplete(ImageMeta meta)
    {
        try
        {
            if (!Content.Exists(Digest.Parse(meta.Id))) return false;
            if (meta.ManifestDigest is not null && !Content.Exists(Digest.Parse(meta.ManifestDigest))) return false;
            foreach (var blob in meta.LayerBlobs)
                if (!Content.Exists(Digest.Parse(blob))) return false;
            foreach (var chain in ChainIds(meta.Id))
                if (!Snapshots.LayerExists(chain)) return false;
            return true;
        }
        catch (WharfException)
        {
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
