using Microsoft.Win32.SafeHandles;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Runtime.Spec;

/// <summary>
/// Resolves paths inside a container rootfs as if it were "/": symlinks (absolute or with "..") never lead
/// out of it. The image decides what its files are, so /etc/passwd may be a symlink to the host's
/// /etc/shadow; this resolves it to {rootfs}/etc/shadow instead (filepath-securejoin semantics).
/// </summary>
public static class RootfsPath
{
    private const int MaxSymlinks = 255;

    /// <summary>The host path of <paramref name="path"/> inside <paramref name="root"/>, every symlink resolved
    /// within the root. Missing components are kept as they are.</summary>
    public static string Join(string root, string path)
    {
        root = Path.GetFullPath(root).TrimEnd('/');
        var done = new List<string>();
        var pending = new Stack<string>();
        PushReversed(pending, path);
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (done.Count > 0) done.RemoveAt(done.Count - 1);
                continue;
            }
            var candidate = root + "/" + string.Join('/', [.. done, part]);
            // LinkTarget is the raw link text (lstat + readlink), null for anything that is not a symlink.
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                done.Add(part);
                continue;
            }
            if (++links > MaxSymlinks) throw WharfException.Invalid($"too many levels of symbolic links in {path}");
            if (target.StartsWith('/')) done.Clear();
            PushReversed(pending, target);
        }
        return root + "/" + string.Join('/', done);
    }

    private static void PushReversed(Stack<string> stack, string path)
    {
        var parts = path.Split('/');
        for (int i = parts.Length - 1; i >= 0; i--) stack.Push(parts[i]);
    }

    /// <summary>Reads a regular file inside the rootfs (null when missing or not a regular file). The last
    /// component is opened with O_NOFOLLOW so a symlink swapped in after resolution is not followed.</summary>
    public static string? ReadAllText(string root, string path, int maxBytes = 4 << 20)
    {
        var hostPath = Join(root, path);
        var fi = new FileInfo(hostPath);
        if (!fi.Exists || fi.LinkTarget is not null || fi.Attributes.HasFlag(FileAttributes.Directory)) return null;

        int fd = Native.open(hostPath, Native.O_RDONLY | Native.O_NOFOLLOW | Native.O_CLOEXEC | Native.O_NONBLOCK | Native.O_NOCTTY, 0);
        if (fd < 0) return null;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        using var fs = new FileStream(handle, FileAccess.Read, 1);
        if (!fs.CanSeek) return null; // a FIFO or socket, not a file
        // Bounded by the size at open (a device node reports 0) and by maxBytes.
        var buf = new byte[Math.Min(fs.Length, maxBytes)];
        int n = 0;
        while (n < buf.Length)
        {
            int r = fs.Read(buf, n, buf.Length - n);
            if (r == 0) break;
            n += r;
        }
        return System.Text.Encoding.UTF8.GetString(buf, 0, n);
    }
}
