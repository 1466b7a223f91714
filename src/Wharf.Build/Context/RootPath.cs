using Wharf.Core;

namespace Wharf.Build.Context;

/// <summary>
/// Resolves a path inside a root directory as if the root were "/": symlinks are followed with absolute targets
/// rebased onto the root and ".." clamped at it, so no path (or link) in a build context or an image can lead
/// outside (containerd's RootPath model). Only for trees nothing else changes while we read them.
/// </summary>
public static class RootPath
{
    private const int MaxLinks = 255;

    /// <summary>The host path of <paramref name="path"/> under <paramref name="root"/>; a final symlink is followed
    /// only when <paramref name="followFinal"/>.</summary>
    public static string Resolve(string root, string path, bool followFinal = true)
    {
        root = Path.GetFullPath(root).TrimEnd('/');
        var pending = new Stack<string>(Split(path).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..") { if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1); continue; }
            var candidate = Join(root, resolved, part);
            var isLast = pending.Count == 0;
            // LinkTarget is null for anything that is not a symlink, missing paths included.
            var target = new FileInfo(candidate).LinkTarget;
            if (target is not null && (!isLast || followFinal))
            {
                if (++links > MaxLinks) throw WharfException.Invalid($"too many levels of symbolic links: {path}");
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var p in Split(target).Reverse()) pending.Push(p);
                continue;
            }
            resolved.Add(part);
        }
        return resolved.Count == 0 ? root : root + "/" + string.Join('/', resolved);
    }

    /// <summary>The path of <paramref name="hostPath"/> relative to root, '/'-separated ("" for the root).</summary>
    public static string Relative(string root, string hostPath)
    {
        root = Path.GetFullPath(root).TrimEnd('/');
        if (hostPath == root) return "";
        if (!hostPath.StartsWith(root + "/", StringComparison.Ordinal)) throw WharfException.Internal($"{hostPath} is outside {root}");
        return hostPath[(root.Length + 1)..];
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string Join(string root, List<string> parts, string last) =>
        parts.Count == 0 ? root + "/" + last : root + "/" + string.Join('/', parts) + "/" + last;
}
