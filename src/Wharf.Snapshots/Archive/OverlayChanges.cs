using Microsoft.Win32.SafeHandles;
using Wharf.Interop;

namespace Wharf.Snapshots.Archive;

/// <summary>
/// `docker diff` from an overlay upper dir and its lower dirs, as Docker's overlay driver reports it: a
/// whiteout is a deletion, a name the lowers do not have is an addition (with everything below it), a file the
/// lowers have is a modification, and a directory the lowers have counts as modified only when something
/// below it changed (overlay copies parents up just to hold a changed child).
/// </summary>
public static class OverlayChanges
{
    private const string OpaqueXattr = "trusted.overlay.opaque";

    /// <param name="upperDir">The writable layer.</param>
    /// <param name="lowerDirs">The read-only layers (any order: only existence matters).</param>
    /// <param name="exclude">Relative paths ("etc/hostname") to leave out (mount points the runtime created).</param>
    public static IReadOnlyList<FileChange> Compute(string upperDir, IReadOnlyList<string> lowerDirs, Func<string, bool>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(lowerDirs);
        var changes = new List<FileChange>();
        using var root = FdHandles.OpenDirectory(upperDir);
        Walk(root, "", lowerDirs, lowersVisible: true, exclude, changes);
        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return changes;
    }

    /// <returns>Whether anything below <paramref name="relative"/> was reported.</returns>
    private static bool Walk(SafeFileHandle dir, string relative, IReadOnlyList<string> lowers, bool lowersVisible,
        Func<string, bool>? exclude, List<FileChange> changes)
    {
        bool any = false;
        int fd = FdHandles.Fd(dir);
        foreach (var name in FdHandles.ListChildren(dir))
        {
            var rel = relative.Length == 0 ? name : relative + "/" + name;
            if (exclude?.Invoke(rel) == true) continue;
            if (!Native.TryStatAt(fd, name, out var st)) continue;
            var path = "/" + rel;
            if (st.Type == FileStatus.CharDevice && st.RdevMajor == 0 && st.RdevMinor == 0)
            {
                changes.Add(new FileChange(path, ChangeKind.Deleted));
                any = true;
                continue;
            }
            bool inLower = lowersVisible && ExistsInLowers(lowers, rel);
            if (st.IsDirectory)
            {
                using var child = FdHandles.OpenChildDirectory(dir, name, out _);
                if (child is null) continue;
                bool opaque = Native.GetXattr(FdHandles.Fd(child), OpaqueXattr) is [(byte)'y'];
                int at = changes.Count;
                bool below = Walk(child, rel, lowers, inLower && !opaque, exclude, changes);
                if (!inLower || below || opaque)
                {
                    changes.Insert(at, new FileChange(path, inLower ? ChangeKind.Modified : ChangeKind.Added));
                    any = true;
                }
                continue;
            }
            changes.Add(new FileChange(path, inLower ? ChangeKind.Modified : ChangeKind.Added));
            any = true;
        }
        return any;
    }

    private static bool ExistsInLowers(IReadOnlyList<string> lowers, string relative)
    {
        foreach (var lower in lowers)
        {
            if (!Native.TryLstat(Path.Combine(lower, relative), out var st)) continue;
            // A whiteout in a lower layer hides the name from the layers below it.
            return !(st.Mode >> 12 == 2 && st.RdevMajor == 0 && st.RdevMinor == 0);
        }
        return false;
    }
}
