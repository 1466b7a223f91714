using System.Runtime.InteropServices;

namespace Wharf.Interop;

public static partial class Native
{
    [LibraryImport(Libc, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, int owner, int group);

    [LibraryImport(Libc, EntryPoint = "uname", SetLastError = true)]
    private static unsafe partial int uname(byte* buf);

    /// <summary>The kernel release (uname -r), for /version and /info.</summary>
    public static unsafe string KernelRelease()
    {
        // struct utsname: six fields of 65 bytes; release is the third.
        byte* buf = stackalloc byte[65 * 6];
        if (uname(buf) != 0) return "unknown";
        return Marshal.PtrToStringUTF8((nint)(buf + 65 * 2)) ?? "unknown";
    }
}
