using Wharf.Images;
using Wharf.Snapshots.Archive;

namespace Wharf.Engine.Images;

/// <summary>What diff, commit and build need from the image side beyond <see cref="IImageResolver"/>: a
/// container's changes, its layer tar, and a new image from a layer. Implemented by the image service.</summary>
public interface IContainerLayers
{
    /// <summary>Mount points the runtime made in the container's writable layer for <paramref name="targets"/>, with the
    /// directories that hold nothing else (what diff and commit leave out, as Docker's init layer does).</summary>
    IReadOnlySet<string> MountPointStubs(string containerId, IEnumerable<string> targets);

    /// <summary>`docker diff` of the container's writable layer.</summary>
    IReadOnlyList<FileChange> ContainerChanges(string containerId, Func<string, bool>? exclude = null);

    /// <summary>Writes the container's writable layer as an uncompressed layer tar. Returns content bytes written.</summary>
    long WriteContainerDiff(string containerId, Stream output, Func<string, bool>? exclude = null, CancellationToken cancellationToken = default);

    /// <summary>Records a new image (parent + optional layer + config + history entry), then points
    /// <paramref name="names"/> ("repo[:tag]") at it. Returns the image id.</summary>
    string Commit(ImageCommitRequest request, IReadOnlyList<string>? names = null, CancellationToken cancellationToken = default);
}
