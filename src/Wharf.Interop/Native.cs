using System.Runtime.InteropServices;

namespace Wharf.Interop;

/// <summary>
/// The raw libc declarations. This is the only place in Wharf that declares native entry points;
/// callers use the typed wrappers beside it, which turn errno into <see cref="Wharf.Core.WharfException"/>.
/// Add one declaration per function, with SetLastError so errno is captured.
/// </summary>
public static partial class Native
{
    private const string Libc = "libc";

    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rename(string from, string to);
}
