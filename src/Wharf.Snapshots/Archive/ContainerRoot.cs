using Microsoft.Win32.SafeHandles;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Snapshots.Archive;

/// <summary>
/// Paths inside a container's root file system, resolved as the container itself would see them: openat2 with
/// RESOLVE_IN_ROOT on a pinned root fd, so "/", ".." and symlinks (absolute or relative) all stop at the
/// container root. A link to "/" or "../.." inside the container can never lead to a host file, and a swap of a
/// path component while we work cannot either: every later step is relative to an fd opened here.
/// </summary>
public sealed class ContainerRoot : IDisposable
{
    private const int DirFlags = Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC;
    private const ulong Resolve = Native.RESOLVE_IN_ROOT | Native.RESOLVE_NO_MAGICLINKS;

    public ContainerRoot(string hostRootfs)
    {
        HostPath = Path.TrimEndingDirectorySeparator(hostRootfs);
        Handle = FdHandles.OpenDirectory(hostRootfs);
    }

    public string HostPath { get; }
    public SafeFileHandle Handle { get; }

    /// <summary>Opens the directory at container path <paramref name="path"/>, following symlinks inside the root.
    /// Null with the errno when it does not resolve to a directory.</summary>
    public SafeFileHandle? OpenDirectory(string path, out int errno)
    {
        int fd = Native.OpenAt2(FdHandles.Fd(Handle), Relative(path), DirFlags, Resolve);
        errno = fd < 0 ? -fd : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The absolute container path a path resolves to (all symlinks followed, inside the root); null when it does not resolve.</summary>
    public string? Canonical(string path)
    {
        int fd = Native.OpenAt2(FdHandles.Fd(Handle), Relative(path), Native.O_PATH | Native.O_CLOEXEC, Resolve);
        if (fd < 0) return null;
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        var host = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        if (host is null) return null;
        if (host == HostPath) return "/";
        return host.StartsWith(HostPath + "/", StringComparison.Ordinal) ? host[HostPath.Length..] : null;
    }

    /// <summary>
    /// Splits a container path as Docker's archive code does: the parent is resolved (symlinks followed inside
    /// the root), the last component is not, unless the path ends in "/" or "/." (then the whole path is
    /// followed and <paramref name="name"/> is "", meaning the directory itself).
    /// </summary>
    public SafeFileHandle? OpenParent(string path, out string name, out int errno)
    {
        var trimmed = path.TrimEnd('/');
        bool followLast = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path == "." || trimmed.Length == 0;
        if (followLast)
        {
            name = "";
            return OpenDirectory(path, out errno);
        }
        int slash = trimmed.LastIndexOf('/');
        name = trimmed[(slash + 1)..];
        if (name == "..")
        {
            name = "";
            return OpenDirectory(path, out errno);
        }
        return OpenDirectory(slash <= 0 ? "/" : trimmed[..slash], out errno);
    }

    private static string Relative(string path)
    {
        var p = path.TrimStart('/');
        return p.Length == 0 ? "." : p;
    }

    public void Dispose() => Handle.Dispose();

    public static WharfException NotFound(string path, string container) =>
        WharfException.NotFound($"Could not find the file {path} in container {container}");
}
