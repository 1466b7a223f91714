using System.Runtime.InteropServices;

namespace Wharf.Interop;

/// <summary>statx(2): its layout is the same on every architecture, unlike struct stat, so one declaration
/// serves all. Used where .NET does not expose device numbers (privileged containers' /dev).</summary>
public static partial class Native
{
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const uint S_IFMT = 0xF000;

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    /// <summary>lstat-like: does not follow a final symlink. False when the path cannot be stat'ed.</summary>
    public static unsafe bool TryLstat(string path, out StatxInfo info)
    {
        // struct statx is 256 bytes; the fields read here sit at fixed offsets (linux/stat.h).
        byte* buf = stackalloc byte[256];
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf) != 0)
        {
            info = default;
            return false;
        }
        info = new StatxInfo(
            Mode: *(ushort*)(buf + 28),
            Uid: *(uint*)(buf + 20),
            Gid: *(uint*)(buf + 24),
            RdevMajor: *(uint*)(buf + 128),
            RdevMinor: *(uint*)(buf + 132));
        return true;
    }

    private const uint STATX_INO = 0x100;

    /// <summary>What an open fd refers to, as (device major, device minor, inode): two fds with the same identity
    /// share one file, pipe or socket. False when <paramref name="fd"/> is not open.</summary>
    public static unsafe bool TryFdIdentity(int fd, out (uint DevMajor, uint DevMinor, ulong Ino) identity)
    {
        byte* buf = stackalloc byte[256];
        if (statx(fd, "", AT_EMPTY_PATH, STATX_INO, buf) != 0)
        {
            identity = default;
            return false;
        }
        identity = (*(uint*)(buf + 136), *(uint*)(buf + 140), *(ulong*)(buf + 32));
        return true;
    }
}
