using System.Runtime.InteropServices;
using System.Text;

namespace Wharf.Interop;

/// <summary>
/// fd-anchored file-system calls for walking and writing trees a container controls (layer diffs, export,
/// cp): every name is resolved relative to a directory fd that is already pinned, never through a path that a
/// concurrent symlink swap could redirect. Wrappers return -errno (or throw nothing) so callers decide.
/// </summary>
public static partial class Native
{
    public const int AT_EMPTY_PATH = 0x1000;
    public const int AT_REMOVEDIR = 0x200;
    public const int EEXIST = 17;
    public const int ELOOP = 40;
    public const int ENOTDIR = 20;
    public const int EXDEV = 18;

    /// <summary>openat2 RESOLVE_* flags (linux/openat2.h).</summary>
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_IN_ROOT = 0x10;

    private const long SYS_openat2 = 437; // the same number on every architecture (unified syscall table)

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long syscall_openat2(long number, int dirfd, byte* path, ulong* how, nuint size);

    [LibraryImport(Libc, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint readlinkat(int dirfd, string path, byte* buf, nuint size);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirfd, string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknodat(int dirfd, string path, uint mode, ulong dev);

    [LibraryImport(Libc, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int symlinkat(string target, int dirfd, string path);

    [LibraryImport(Libc, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlinkat(int dirfd, string path, int flags);

    [LibraryImport(Libc, EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fchownat(int dirfd, string path, int uid, int gid, int flags);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    [LibraryImport(Libc, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int utimensat_at(int dirfd, string path, long* times, int flags);

    [LibraryImport(Libc, EntryPoint = "flistxattr", SetLastError = true)]
    private static unsafe partial nint flistxattr(int fd, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "fgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint fgetxattr(int fd, string name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int fsetxattr(int fd, string name, byte* value, nuint size, int flags);

    /// <summary>openat2(2): resolves <paramref name="path"/> under <paramref name="dirfd"/> with the given
    /// RESOLVE_* flags. With RESOLVE_IN_ROOT, "/", ".." and absolute symlinks all stop at dirfd, as if the
    /// process were chrooted there. Returns the fd or -errno.</summary>
    public static unsafe int OpenAt2(int dirfd, string path, int flags, ulong resolve, uint mode = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        ulong* how = stackalloc ulong[3];
        how[0] = (ulong)flags;
        how[1] = mode;
        how[2] = resolve;
        fixed (byte* p = bytes)
        {
            long r = syscall_openat2(SYS_openat2, dirfd, p, how, 24);
            return r < 0 ? -LastErrno : (int)r;
        }
    }

    /// <summary>statx relative to a directory fd, never following a final symlink (with an empty name: the fd
    /// itself). False when it cannot be stat'ed.</summary>
    public static unsafe bool TryStatAt(int dirfd, string name, out FileStatus status)
    {
        byte* buf = stackalloc byte[256];
        int flags = AT_SYMLINK_NOFOLLOW | (name.Length == 0 ? AT_EMPTY_PATH : 0);
        if (statx(dirfd, name, flags, STATX_BASIC_STATS, buf) != 0)
        {
            status = default;
            return false;
        }
        // Offsets from linux/stat.h struct statx.
        status = new FileStatus(
            Mode: *(ushort*)(buf + 28),
            Uid: *(uint*)(buf + 20),
            Gid: *(uint*)(buf + 24),
            Nlink: *(uint*)(buf + 16),
            Inode: *(ulong*)(buf + 32),
            Size: *(long*)(buf + 40),
            MtimeSeconds: *(long*)(buf + 112),
            MtimeNanoseconds: *(uint*)(buf + 120),
            RdevMajor: *(uint*)(buf + 128),
            RdevMinor: *(uint*)(buf + 132),
            DevMajor: *(uint*)(buf + 136),
            DevMinor: *(uint*)(buf + 140));
        return true;
    }

    /// <summary>The target text of a symlink named relative to a directory fd; null on failure.</summary>
    public static unsafe string? ReadLinkAt(int dirfd, string name)
    {
        var buf = new byte[4096];
        fixed (byte* p = buf)
        {
            nint n = readlinkat(dirfd, name, p, (nuint)buf.Length);
            return n < 0 ? null : Encoding.UTF8.GetString(buf, 0, (int)n);
        }
    }

    /// <summary>Sets atime and mtime of a name relative to a directory fd without following a final symlink.</summary>
    public static unsafe int SetTimesAt(int dirfd, string name, DateTimeOffset mtime)
    {
        long* t = stackalloc long[4];
        long ticks = mtime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        t[0] = t[2] = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        t[1] = t[3] = rem * 100;
        if (rem < 0) { t[0]--; t[2]--; t[1] += 1_000_000_000; t[3] += 1_000_000_000; }
        return utimensat_at(dirfd, name, t, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : LastErrno;
    }

    /// <summary>Names of the extended attributes of an open file (not O_PATH); empty when none or unsupported.</summary>
    public static unsafe IReadOnlyList<string> ListXattrs(int fd)
    {
        var buf = new byte[16384];
        nint n;
        fixed (byte* p = buf) n = flistxattr(fd, p, (nuint)buf.Length);
        if (n <= 0) return [];
        var names = new List<string>();
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            if (buf[i] != 0) continue;
            if (i > start) names.Add(Encoding.UTF8.GetString(buf, start, i - start));
            start = i + 1;
        }
        return names;
    }

    /// <summary>One extended attribute of an open file; null when absent.</summary>
    public static unsafe byte[]? GetXattr(int fd, string name)
    {
        var buf = new byte[65536];
        fixed (byte* p = buf)
        {
            nint n = fgetxattr(fd, name, p, (nuint)buf.Length);
            return n < 0 ? null : buf.AsSpan(0, (int)n).ToArray();
        }
    }

    /// <summary>Sets an extended attribute of an open file; returns 0 or the errno.</summary>
    public static unsafe int SetXattr(int fd, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return fsetxattr(fd, name, p, (nuint)value.Length, 0) == 0 ? 0 : LastErrno;
        }
    }
}
