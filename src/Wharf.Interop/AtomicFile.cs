namespace Wharf.Interop;

/// <summary>
/// Writes a file so that a reader (or a restart after SIGKILL) sees either the old content or the
/// whole new content, never a torn one: write a sibling temp file, fsync it, rename it over the
/// target, fsync the directory. Every metadata file of the daemon goes through here.
/// </summary>
public static class AtomicFile
{
    private static int s_counter;

    /// <param name="durable">fsync the file and the directory (the default). Without it a reader, or wharfd after a
    /// crash of its own, still sees the old or the whole new content (the rename is atomic and the page cache outlives
    /// the process); only a crash of the host may leave the file missing or empty. For files that a host crash makes
    /// meaningless anyway (records of processes that the crash killed too).</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, bool durable = true)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        // Unique among live writers (pid, then a per-process counter); a temp file left by a crash is overwritten.
        var tmp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) +
            "." + Interlocked.Increment(ref s_counter).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp");
        try
        {
            NativeFile.WriteAllBytes(tmp, content, fsync: durable);
            NativeFile.Rename(tmp, path);
            if (durable) FsyncDirectory(dir);
        }
        catch
        {
            Native.unlink(tmp);
            throw;
        }
    }

    public static void WriteAllText(string path, string content, bool durable = true) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content), durable);

    /// <summary>Makes a rename or create inside <paramref name="dir"/> durable.</summary>
    public static void FsyncDirectory(string dir)
    {
        // .NET refuses to open directories, so this goes through open(O_DIRECTORY) + fsync.
        int fd = Native.open(dir, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (fd < 0) return;
        Native.fsync(fd);
        Native.close(fd);
    }
}
