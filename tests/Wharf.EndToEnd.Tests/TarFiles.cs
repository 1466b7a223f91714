using System.Formats.Tar;

namespace Wharf.EndToEnd.Tests;

/// <summary>Builds the tars the import tests feed to `docker import`: a small runnable rootfs and hostile archives.</summary>
internal static class TarFiles
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>A rootfs with the static busybox at /bin/busybox, /bin/sh and /bin/cat linked to it, and /hello.txt
    /// (and /random.bin of <paramref name="randomBytes"/> incompressible bytes when asked, for a big layer).</summary>
    public static void WriteRootfs(string path, string helloText, int randomBytes = 0)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(Directory("bin/"));
        using (var busybox = File.OpenRead("/bin/busybox"))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { DataStream = busybox, Mode = Executable });
        }

        tar.WriteEntry(Link(TarEntryType.SymbolicLink, "bin/sh", "busybox"));
        tar.WriteEntry(Link(TarEntryType.SymbolicLink, "bin/cat", "busybox"));
        tar.WriteEntry(Directory("tmp/"));
        tar.WriteEntry(RegularFile("hello.txt", helloText));
        if (randomBytes > 0)
        {
            var data = new byte[randomBytes];
            Random.Shared.NextBytes(data);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "random.bin") { DataStream = new MemoryStream(data), Mode = Readable });
        }
    }

    /// <summary>An entry whose name climbs out of the extraction root with ../.</summary>
    public static void WriteDotDotEscape(string path, string outsideFile)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(RegularFile("ok.txt", "fine"));
        tar.WriteEntry(RegularFile(string.Concat(Enumerable.Repeat("../", 24)) + outsideFile.TrimStart('/'), "pwned"));
    }

    /// <summary>A symlink to a host directory, then a file written through it.</summary>
    public static void WriteSymlinkEscape(string path, string linkTarget)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(Link(TarEntryType.SymbolicLink, "link", linkTarget));
        tar.WriteEntry(RegularFile("link/pwned", "pwned"));
    }

    /// <summary>A hard link to a host file, then a write to the link's name.</summary>
    public static void WriteHardLinkEscape(string path, string linkTarget)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(Link(TarEntryType.HardLink, "hard", linkTarget));
        tar.WriteEntry(RegularFile("hard", "pwned"));
    }

    private static PaxTarEntry Directory(string name) =>
        new(TarEntryType.Directory, name) { Mode = Executable };

    private static PaxTarEntry RegularFile(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Mode = Readable };

    private static PaxTarEntry Link(TarEntryType type, string name, string target) =>
        new(type, name) { LinkName = target, Mode = Executable };
}
