namespace Wharf.Interop;

/// <summary>
/// Whole-file reads and writes straight over open/read/write/fsync/rename. They serve the NativeAOT monitor,
/// whose code size is part of every container's resident memory: File.ReadAllText or FileStream would compile
/// .NET's buffered stream strategies, encoding detection and handle bookkeeping into it (docs/monitor.md).
/// Errors are <see cref="IOException"/>s naming the call, the path and strerror.
/// </summary>
public static class NativeFile
{
    /// <summary>The whole content of a (small) file: state files, /proc and cgroup files.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        int fd = Native.open(path, Native.O_RDONLY | Native.O_CLOEXEC, 0);
        if (fd < 0) throw Error("open", path, Native.LastErrno);
        try
        {
            // /proc files report size 0, so read until EOF whatever the size says.
            var buf = new byte[4096];
            int len = 0;
            while (true)
            {
                if (len == buf.Length) Array.Resize(ref buf, buf.Length * 2);
                int n = Native.Read(fd, buf.AsSpan(len));
                if (n < 0) throw Error("read", path, -n);
                if (n == 0) break;
                len += n;
            }
            // AsSpan().ToArray(), not buf[..len]: array ranges go through RuntimeHelpers.GetSubArray, which can create
            // arrays of any type at run time and so compiles the whole type loader into NativeAOT binaries.
            return buf.AsSpan(0, len).ToArray();
        }
        finally
        {
            Native.close(fd);
        }
    }

    /// <summary>The file as UTF-8 text.</summary>
    public static string ReadAllText(string path) => System.Text.Encoding.UTF8.GetString(ReadAllBytes(path));

    /// <summary>Creates or truncates <paramref name="path"/> (mode 0666 less the umask, as .NET creates files),
    /// writes <paramref name="content"/> and, when <paramref name="fsync"/>, makes it durable before returning.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, bool fsync)
    {
        int fd = Native.open(path, Native.O_WRONLY | Native.O_CREAT | Native.O_TRUNC | Native.O_CLOEXEC, Convert.ToInt32("666", 8));
        if (fd < 0) throw Error("open", path, Native.LastErrno);
        try
        {
            int rc = Native.WriteAll(fd, content);
            if (rc < 0) throw Error("write", path, -rc);
            if (fsync && Native.fsync(fd) != 0) throw Error("fsync", path, Native.LastErrno);
        }
        finally
        {
            Native.close(fd);
        }
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/>.</summary>
    public static void Rename(string from, string to)
    {
        if (Native.rename(from, to) != 0) throw Error("rename", from + " to " + to, Native.LastErrno);
    }

    private static IOException Error(string call, string path, int errno) =>
        new(call + " " + path + ": " + Native.ErrorText(errno), errno);
}
