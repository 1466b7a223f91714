using Wharf.Core;
using Wharf.Images;
using Wharf.Images.Archive;
using Wharf.Oci.Reference;

namespace Wharf.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// GET /images/get: resolves the names (a repository without a tag means every tag of it, an id means no
    /// name, as moby's tarexport) and opens every blob under the lock; stream the result with
    /// <see cref="ImageArchiveWriter.WriteAsync"/> and dispose it. Emits a "save" event per image.
    /// </summary>
    public ImageArchiveWriter PrepareSave(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0) throw WharfException.Invalid("no images given to save");
        lock (_lock)
        {
            var order = new List<string>();
            var byId = new Dictionary<string, List<ImageReference>>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var id = ResolveId(name, out var named);
                if (!byId.TryGetValue(id, out var refs))
                {
                    byId[id] = refs = [];
                    order.Add(id);
                }
                if (named is null || IsImageIdPrefix(id, name)) continue;
                if (named.Tag is null && named.Digest is null)
                    refs.AddRange(Store.References(id).Where(r => r.Tag is not null && r.Digest is null && r.Name == named.Name));
                else if (named.Digest is null) refs.Add(named);
            }
            var writer = ImageArchiveWriter.Prepare(Store, [.. order.Select(id => new SaveItem(id, byId[id].DistinctBy(r => r.ToString()).ToList()))]);
            foreach (var id in order) Emit("save", id, id);
            return writer;
        }
    }

    /// <summary>
    /// POST /images/load: reads and unpacks the archive without the lock (one pass per layer), verifies it, then
    /// publishes each image and its names under the lock. Returns Docker's lines ("Loaded image: busybox:latest",
    /// or "Loaded image ID: sha256:…" for an image without names). A failure anywhere leaves nothing behind.
    /// </summary>
    public IReadOnlyList<string> Load(Stream archive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        using var loader = new ImageArchiveLoader(Store);
        loader.Read(archive, cancellationToken);
        var planned = loader.Plan(cancellationToken);
        var lines = new List<string>();
        lock (_lock)
        {
            var registrations = new List<(ArchiveImage Image, ImageRegistration Registration, List<ImageReference> Names)>();
            try
            {
                foreach (var image in planned)
                    registrations.Add((image, loader.Commit(image, cancellationToken), [.. image.Names.Select(n => ParseTagTarget(n, null))]));
                foreach (var (image, registration, refs) in registrations)
                {
                    var meta = ImageRegistrar.Register(Store, registration, cancellationToken);
                    foreach (var r in refs)
                    {
                        SetTag(r, meta.Id);
                        lines.Add("Loaded image: " + r.FamiliarString);
                    }
                    if (refs.Count == 0) lines.Add("Loaded image ID: " + meta.Id);
                    Emit("load", meta.Id, meta.Id);
                }
            }
            catch when (lines.Count == 0)
            {
                loader.Rollback(planned);
                throw;
            }
        }
        return lines;
    }
}
