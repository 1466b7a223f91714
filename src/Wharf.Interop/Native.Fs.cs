using System.Runtime.InteropServices;

namespace Wharf.Interop;

/// <summary>File-system and mount declarations used by the layer applier and the snapshotter.</summary>
public static partial class Native
{
    public const ulong MS_RDONLY = 0x1;
    public const ulong MS_NOSUID = 0x2;
    public const ulong MS_NODEV = 0x4;
    public const ulong MS_NOEXEC = 0x8;
    public const ulong MS_REMOUNT = 0x20;
    public const ulong MS_BIND = 0x1000;
    public const ulong MS_REC = 0x4000;
    public const ulong MS_PRIVATE = 0x40000;
    public const ulong MS_SLAVE = 0x80000;

    public const int MNT_FORCE = 0x1;
    public const int MNT_DETACH = 0x2;
    public const int UMOUNT_NOFOLLOW = 0x8;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;

    public const uint S_IFIFO = 0x1000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFBLK = 0x6000;

    public const int XATTR_CREATE = 0x1;
    public const int ENODATA = 61;
    public const int EINVAL = 22;
    public const int ENOENT = 2;

    [LibraryImport(Libc, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Libc, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(Libc, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport(Libc, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string path, int uid, int gid);

    [LibraryImport(Libc, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int link(string oldpath, string newpath);

    /// <summary><paramref name="times"/> points at two timespecs (4 longs: atime sec, nsec, mtime sec, nsec).</summary>
    [LibraryImport(Libc, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int utimensat(int dirfd, string path, long* times, int flags);

    [LibraryImport(Libc, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial nint lgetxattr(string path, string name, byte* value, nuint size);

    /// <summary>glibc's makedev for Linux dev_t.</summary>
    public static ulong MakeDev(long major, long minor) =>
        (((ulong)major & 0xfffff000UL) << 32) | (((ulong)major & 0xfffUL) << 8) |
        (((ulong)minor & 0xffffff00UL) << 12) | ((ulong)minor & 0xffUL);

    /// <summary>The errno of the last call made with SetLastError.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>strerror text of an errno.</summary>
    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Sets an xattr on a path without following a final symlink; returns 0 or the errno.</summary>
    public static unsafe int SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return lsetxattr(path, name, p, (nuint)value.Length, 0) == 0 ? 0 : LastErrno;
        }
    }

    /// <summary>Reads an xattr without following a final symlink; null when absent.</summary>
    public static unsafe byte[]? GetXattr(string path, string name)
    {
        var buf = new byte[4096];
        fixed (byte* p = buf)
        {
            nint n = lgetxattr(path, name, p, (nuint)buf.Length);
            if (n < 0) return null;
            return buf.AsSpan(0, (int)n).ToArray();
        }
    }

    /// <summary>Sets atime and mtime of a path without following a final symlink; returns 0 or the errno.</summary>
    public static unsafe int SetTimesNoFollow(string path, DateTimeOffset atime, DateTimeOffset mtime)
    {
        long* t = stackalloc long[4];
        long a = atime.ToUnixTimeMilliseconds(), m = mtime.ToUnixTimeMilliseconds();
        t[0] = Math.DivRem(a, 1000, out long ar); t[1] = ar * 1_000_000;
        if (t[1] < 0) { t[0]--; t[1] += 1_000_000_000; }
        t[2] = Math.DivRem(m, 1000, out long mr); t[3] = mr * 1_000_000;
        if (t[3] < 0) { t[2]--; t[3] += 1_000_000_000; }
        return utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : LastErrno;
    }
}
