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

    /// <summary>
    /// The paths of a container's writable layer that exist only because the runtime made mount points for
    /// <paramref name="targets"/> (relative paths): each target itself, and each directory whose entries in the
    /// writable layer are all such stubs (created, or copied up from an image layer, only to hold them). A directory
    /// the container made opaque (deleted and re-created) always stays.
    /// </summary>
    public IReadOnlySet<string> MountPointStubs(string containerId, IEnumerable<string> targets)
    {
        var upper = ContainerUpperDir(containerId);
        var stubs = new HashSet<string>(targets, StringComparer.Ordinal);
        var parents = stubs
            .SelectMany(t => Ancestors(t))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Count(c => c == '/')) // children are decided before their parents
            .ToList();
        foreach (var parent in parents)
        {
            var dir = Path.Combine(upper, parent);
            if (!Directory.Exists(dir)) continue;
            using (var fd = FdHandles.OpenDirectory(dir))
            {
                if (Wharf.Interop.Native.GetXattr(FdHandles.Fd(fd), "trusted.overlay.opaque") is [(byte)'y']) continue;
            }
            var entries = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).ToList();
            if (entries.Count > 0 && entries.All(e => stubs.Contains(parent + "/" + e))) stubs.Add(parent);
        }

        return stubs;

        static IEnumerable<string> Ancestors(string path)
        {
            for (var p = Path.GetDirectoryName(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p)) yield return p;
        }
    }

    /// <summary>`docker diff` of a container snapshot.</summary>
    public IReadOnlyList<FileChange> ContainerChanges(string containerId, Func<string, bool>? exclude = null) =>
        OverlayChanges.Compute(ContainerUpperDir(containerId), ContainerLowerDirs(containerId), exclude);
}
