using Wharf.Snapshots.Archive;

namespace Wharf.Snapshots;

public sealed partial class OverlaySnapshotter
{
    /// <summary>The lower dirs of a container snapshot, top first.</summary>
    public IReadOnlyList<string> ContainerLowerDirs(string containerId) =>
        File.ReadAllText(Path.Combine(ContainerDir(containerId), "lowers")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Writes the container's changes as an uncompressed layer tar (overlay whiteouts converted to .wh. entries)
    /// to <paramref name="output"/>. Returns the bytes of file content written. The container should be paused
    /// or stopped for a consistent result; a running one yields a valid tar of some moment's state.
    /// </summary>
    public long WriteContainerDiff(string containerId, Stream output, Func<string, bool>? exclude = null, CancellationToken cancellationToken = default)
    {
        using var upper = FdHandles.OpenDirectory(ContainerUpperDir(containerId));
        using var writer = new TreeTarWriter(output, new TreeTarOptions(OverlayWhiteouts: true, Exclude: exclude));
        writer.WriteDirectory(upper, "", cancellationToken);
        return writer.ContentSize;
    }

    /// <summary>`docker diff` of a container snapshot.</summary>
    public IReadOnlyList<FileChange> ContainerChanges(string containerId, Func<string, bool>? exclude = null) =>
        OverlayChanges.Compute(ContainerUpperDir(containerId), ContainerLowerDirs(containerId), exclude);
}
