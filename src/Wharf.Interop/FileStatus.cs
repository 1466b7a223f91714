namespace Wharf.Interop;

/// <summary>The statx fields a tar writer needs: type and mode bits, owner, link count, inode identity, size,
/// modification time, device numbers of a device node (Rdev) and of the file system holding it (Dev).</summary>
public readonly record struct FileStatus(
    uint Mode, uint Uid, uint Gid, uint Nlink, ulong Inode, long Size, long MtimeSeconds, uint MtimeNanoseconds,
    uint RdevMajor, uint RdevMinor, uint DevMajor, uint DevMinor)
{
    public const uint TypeMask = 0xF000;
    public const uint Directory = 0x4000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;
    public const uint CharDevice = 0x2000;
    public const uint BlockDevice = 0x6000;
    public const uint Fifo = 0x1000;
    public const uint Socket = 0xC000;

    public uint Type => Mode & TypeMask;
    public bool IsDirectory => Type == Directory;
    public bool IsRegular => Type == Regular;
    public bool IsSymlink => Type == Symlink;

    /// <summary>Permission, setuid/setgid and sticky bits.</summary>
    public uint Permissions => Mode & 0xFFF;

    public DateTimeOffset ModificationTime =>
        DateTimeOffset.FromUnixTimeSeconds(MtimeSeconds).AddTicks(MtimeNanoseconds / 100);
}
