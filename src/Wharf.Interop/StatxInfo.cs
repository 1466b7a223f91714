namespace Wharf.Interop;

/// <summary>The statx fields Wharf reads: file type and permission bits, owner, device numbers of a device node.</summary>
public readonly record struct StatxInfo(uint Mode, uint Uid, uint Gid, uint RdevMajor, uint RdevMinor);
