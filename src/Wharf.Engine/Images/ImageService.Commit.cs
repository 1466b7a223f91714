using Wharf.Images;
using Wharf.Snapshots.Archive;

namespace Wharf.Engine.Images;

public sealed partial class ImageService : IContainerLayers
{
    /// <summary>Mount points the runtime made in a container's writable layer for <paramref name="targets"/>.</summary>
    public IReadOnlySet<string> MountPointStubs(string containerId, IEnumerable<string> targets) =>
        Snapshots.MountPointStubs(containerId, targets);

    public IReadOnlyList<FileChange> ContainerChanges(string containerId, Func<string, bool>? exclude = null)
    {
        // Outside the image lock: reads only the container's own snapshot, whose lowers no one removes while it exists.
        Snapshots.ContainerMounts(containerId); // NotFound when there is no snapshot
        return Snapshots.ContainerChanges(containerId, exclude);
    }

    public long WriteContainerDiff(string containerId, Stream output, Func<string, bool>? exclude = null, CancellationToken cancellationToken = default)
    {
        Snapshots.ContainerMounts(containerId);
        return Snapshots.WriteContainerDiff(containerId, output, exclude, cancellationToken);
    }

    /// <summary>`docker commit` and each Dockerfile step: a new image from <paramref name="request"/>, named last.</summary>
    public string Commit(ImageCommitRequest request, IReadOnlyList<string>? names = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targets = (names ?? []).Select(n => ParseTagTarget(n, null)).ToList();
        lock (_lock)
        {
            var meta = ImageCommitter.Commit(Store, request, cancellationToken);
            foreach (var t in targets) SetTag(t, meta.Id);
            return meta.Id;
        }
    }

    /// <summary>`docker build --cache-from`: see <see cref="ImageCommitter.CommitPrefix"/>.</summary>
    public string CommitCachePrefix(string? parentId, string sourceId, int historyCount, Wharf.Oci.Image.ImageRunConfig config,
        CancellationToken cancellationToken = default)
    {
        lock (_lock) return ImageCommitter.CommitPrefix(Store, parentId, sourceId, historyCount, config, cancellationToken).Id;
    }
}
