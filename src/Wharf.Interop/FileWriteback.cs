using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Wharf.Interop;

public static partial class Native
{
    public const uint SYNC_FILE_RANGE_WRITE = 0x2;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);
}

/// <summary>
/// Starts writing a file's dirty pages to disk without waiting for them (sync_file_range(SYNC_FILE_RANGE_WRITE)). A
/// writer that will fsync the file when it is complete calls this as the bytes arrive, so the disk works while the
/// rest is still being received and the final fsync waits only for the tail. It guarantees nothing by itself: the
/// fsync is still what makes the file durable.
/// </summary>
public static class FileWriteback
{
    public static void Start(SafeFileHandle file, long offset, long count)
    {
        ArgumentNullException.ThrowIfNull(file);
        // A hint: a file system that does not support it (or any error) just leaves the work to the fsync.
        _ = Native.sync_file_range(file, offset, count, Native.SYNC_FILE_RANGE_WRITE);
    }
}
