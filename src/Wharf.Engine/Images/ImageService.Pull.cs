using Wharf.Images;
using Wharf.Oci.Reference;

namespace Wharf.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Records a pulled image (its blobs and layer snapshots are in place and verified) and names it: the tag (when
    /// pulled by tag) and name@digest (RepoDigests), names last. Returns the image id and whether the tag already
    /// pointed at it ("Image is up to date").
    /// </summary>
    public (string Id, bool UpToDate) RegisterPulled(ImageRegistration registration, ImageReference? tag, ImageReference digestRef,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var meta = ImageRegistrar.Register(Store, registration, cancellationToken);
            bool upToDate = tag is not null ? Store.Lookup(tag) == meta.Id : Store.Lookup(digestRef) == meta.Id;
            if (tag is not null) SetTag(tag, meta.Id);
            Store.SetReference(digestRef, meta.Id);
            return (meta.Id, upToDate);
        }
    }

    /// <summary>What push needs of a local image: its id, stored manifest and config (by any reference form).</summary>
    public (string Id, ImageMeta Meta, byte[] Manifest, byte[] Config) ForPush(string reference)
    {
        lock (_lock)
        {
            var id = ResolveId(reference, out _);
            var meta = Store.Get(id)!;
            var config = Content.ReadAllBytes(Wharf.Oci.Digest.Parse(id));
            var manifest = meta.ManifestDigest is { } m ? Content.ReadAllBytes(Wharf.Oci.Digest.Parse(m)) : [];
            return (id, meta, manifest, config);
        }
    }

    /// <summary>Tags of repository <paramref name="name"/> (docker push without a tag pushes them all).</summary>
    public IReadOnlyList<string> TagsOf(ImageReference name)
    {
        lock (_lock)
            return [.. Store.AllReferences.Select(kv => ImageReference.Parse(kv.Key))
                .Where(r => r.Name == name.Name && r.Tag is not null && r.Digest is null).Select(r => r.Tag!).Order(StringComparer.Ordinal)];
    }
}
