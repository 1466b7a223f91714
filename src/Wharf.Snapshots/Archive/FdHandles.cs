using Microsoft.Win32.SafeHandles;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Snapshots.Archive;

/// <summary>Opening names relative to a pinned directory fd, never following a final symlink.</summary>
public static class FdHandles
{
    private const int DirFlags = Native.O_RDONLY | Native.O_DIRECTORY | Native.O_NOFOLLOW | Native.O_CLOEXEC;

    /// <summary>Opens a host directory the daemon owns (not container-controlled) as the anchor of a walk.</summary>
    public static SafeFileHandle OpenDirectory(string path)
    {
        int fd = Native.open(path, DirFlags, 0);
        if (fd < 0) throw WharfException.Internal($"open {path}: {Native.ErrorText(Native.LastErrno)}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens the child directory <paramref name="name"/> of <paramref name="parent"/>; null (with the
    /// errno) when it is missing, not a directory or a symlink.</summary>
    public static SafeFileHandle? OpenChildDirectory(SafeFileHandle parent, string name, out int errno)
    {
        int fd = Native.openat(Fd(parent), name, DirFlags, 0);
        errno = fd < 0 ? Native.LastErrno : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens a child for reading without following a symlink and without blocking on a FIFO.</summary>
    public static SafeFileHandle? OpenChildForRead(SafeFileHandle parent, string name)
    {
        int fd = Native.openat(Fd(parent), name, Native.O_RDONLY | Native.O_NOFOLLOW | Native.O_CLOEXEC | Native.O_NONBLOCK | Native.O_NOCTTY, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    public static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>Child names of an open directory, sorted (so archives are reproducible). Listed through the
    /// fd's /proc link, which names the pinned directory itself, not whatever now sits at its old path.</summary>
    public static List<string> ListChildren(SafeFileHandle dir)
    {
        var names = new List<string>();
        foreach (var p in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{Fd(dir)}"))
            names.Add(Path.GetFileName(p));
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
