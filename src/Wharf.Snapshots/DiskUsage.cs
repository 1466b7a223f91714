using Wharf.Interop;

namespace Wharf.Snapshots;

/// <summary>
/// Bytes used by a directory tree as Docker counts them (moby pkg/directory.Size): the apparent size of every
/// non-directory entry, each hard-linked inode counted once. Pass one <see cref="Seen"/> set to several calls to
/// count an inode shared between trees (layers of one image, a layer shared by images) only once.
/// Symlinks are never followed; entries that vanish during the walk are skipped.
/// </summary>
public sealed class DiskUsage
{
    /// <summary>(device, inode) pairs already counted.</summary>
    public HashSet<(uint, uint, ulong)> Seen { get; } = [];

    public long Measure(string root)
    {
        if (!Native.TryStatAt(Native.AT_FDCWD, root, out var top) || !top.IsDirectory) return 0;
        long total = 0;
        var stack = new Stack<string>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var dir = stack.Pop();
            IEnumerable<string> entries;
            try { entries = Directory.EnumerateFileSystemEntries(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var path in entries)
            {
                if (!Native.TryStatAt(Native.AT_FDCWD, path, out var st)) continue;
                if (st.IsDirectory)
                {
                    stack.Push(path);
                    continue;
                }
                if (st.Nlink > 1 && !Seen.Add((st.DevMajor, st.DevMinor, st.Inode))) continue;
                total += st.Size;
            }
        }
        return total;
    }

    /// <summary>One tree on its own.</summary>
    public static long Of(string root) => new DiskUsage().Measure(root);
}
