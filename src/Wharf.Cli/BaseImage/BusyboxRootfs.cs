using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.Text;

namespace Wharf.Cli.BaseImage;

/// <summary>
/// Builds the busybox base image's root filesystem as a reproducible tar: fixed mtime, uid/gid 0, a fixed entry
/// order (directories and files sorted, then the applet links sorted), so the same busybox binary always gives
/// the same bytes and therefore the same layer digest.
/// </summary>
internal static class BusyboxRootfs
{
    public const string DefaultBinary = "/bin/busybox";
    public const string Package = "busybox-static";

    /// <summary>Fixed mtime when SOURCE_DATE_EPOCH is not set: 2000-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultMtime = DateTimeOffset.FromUnixTimeSeconds(946_684_800);

    private const UnixFileMode Dir755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Dir700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode Tmp1777 = UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly (string Path, UnixFileMode Mode)[] Directories =
    [
        ("bin/", Dir755), ("dev/", Dir755), ("etc/", Dir755), ("home/", Dir755), ("proc/", Dir755), ("root/", Dir700),
        ("sbin/", Dir755), ("sys/", Dir755), ("tmp/", Tmp1777), ("usr/", Dir755), ("usr/bin/", Dir755),
        ("usr/sbin/", Dir755), ("var/", Dir755), ("var/spool/", Dir755), ("var/spool/mail/", Dir755), ("var/www/", Dir755),
    ];

    private static readonly (string Path, string Content)[] Files =
    [
        ("etc/group", "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nwheel:x:10:root\nmail:x:12:\nusers:x:100:\nnogroup:x:65534:\n"),
        ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nmail:x:8:8:mail:/var/spool/mail:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n"),
        ("etc/shadow", "root:*:10933:0:99999:7:::\nnobody:*:10933:0:99999:7:::\n"),
    ];

    /// <summary>
    /// Reads <paramref name="busyboxPath"/> and its applet list. Throws <see cref="BaseImageException"/> naming
    /// the package when the binary is missing or dynamically linked (it must run alone in an empty rootfs).
    /// </summary>
    public static (byte[] Binary, IReadOnlyList<string> Applets) Load(string busyboxPath = DefaultBinary)
    {
        if (!File.Exists(busyboxPath))
        {
            throw new BaseImageException($"{busyboxPath} not found: install the {Package} package (apt-get install -y {Package})");
        }

        var binary = File.ReadAllBytes(busyboxPath);
        if (IsDynamicElf(binary))
        {
            throw new BaseImageException($"{busyboxPath} is dynamically linked and would not run inside the image: install the {Package} package (apt-get install -y {Package})");
        }

        return (binary, ListApplets(busyboxPath));
    }

    /// <summary>Runs <c>busybox --list-full</c>: one relative path per applet ("bin/sh", "usr/bin/[").</summary>
    public static IReadOnlyList<string> ListApplets(string busyboxPath)
    {
        var psi = new ProcessStartInfo(busyboxPath, "--list-full") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new BaseImageException($"could not run {busyboxPath}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new BaseImageException($"{busyboxPath} --list-full failed with exit code {process.ExitCode}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Writes the rootfs tar. <paramref name="hardLinks"/> false makes applets symlinks to /bin/busybox.</summary>
    public static void Write(Stream output, byte[] busybox, IEnumerable<string> applets, DateTimeOffset mtime, bool hardLinks = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(busybox);
        ArgumentNullException.ThrowIfNull(applets);

        // Whole seconds only: the ustar header cannot hold more, and sub-second noise must not leak in.
        mtime = DateTimeOffset.FromUnixTimeSeconds(mtime.ToUnixTimeSeconds());
        var links = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in applets)
        {
            var path = raw.Trim().TrimStart('/');
            if (path.Length == 0 || path == "bin/busybox" || path.Contains("..", StringComparison.Ordinal))
            {
                continue;
            }

            if (!Directories.Any(d => path.StartsWith(d.Path, StringComparison.Ordinal) && !path[d.Path.Length..].Contains('/', StringComparison.Ordinal)))
            {
                // An applet in a directory we do not create (none today) is skipped rather than half-created.
                continue;
            }

            links.Add(path);
        }

        using var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        var entries = new SortedDictionary<string, Action>(StringComparer.Ordinal);
        foreach (var (path, mode) in Directories)
        {
            entries[path] = () => writer.WriteEntry(Entry(TarEntryType.Directory, path, mode, mtime));
        }

        foreach (var (path, content) in Files)
        {
            var mode = path == "etc/shadow" ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File644;
            entries[path] = () => WriteFile(writer, path, mode, Encoding.ASCII.GetBytes(content), mtime);
        }

        entries["bin/busybox"] = () => WriteFile(writer, "bin/busybox", Dir755, busybox, mtime);
        foreach (var write in entries.Values)
        {
            write();
        }

        // Links last: a hard link must follow its target in the archive.
        foreach (var link in links)
        {
            var entry = hardLinks
                ? Entry(TarEntryType.HardLink, link, Dir755, mtime)
                : Entry(TarEntryType.SymbolicLink, link, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, mtime);
            entry.LinkName = hardLinks ? "bin/busybox" : "/bin/busybox";
            writer.WriteEntry(entry);
        }
    }

    private static void WriteFile(TarWriter writer, string path, UnixFileMode mode, byte[] content, DateTimeOffset mtime)
    {
        var entry = Entry(TarEntryType.RegularFile, path, mode, mtime);
        using var data = new MemoryStream(content, writable: false);
        entry.DataStream = data;
        writer.WriteEntry(entry);
    }

    private static UstarTarEntry Entry(TarEntryType type, string path, UnixFileMode mode, DateTimeOffset mtime) =>
        new(type, path)
        {
            Mode = mode,
            ModificationTime = mtime,
            Uid = 0,
            Gid = 0,
            UserName = "root",
            GroupName = "root",
        };

    /// <summary>True when the ELF file has a PT_INTERP program header, i.e. needs a dynamic loader.</summary>
    internal static bool IsDynamicElf(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || !elf[1..4].SequenceEqual("ELF"u8) || elf[4] != 2 /* ELFCLASS64 */ || elf[5] != 1 /* little-endian */)
        {
            return false;
        }

        var phoff = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x20..]);
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x36..]);
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x38..]);
        for (var i = 0; i < phnum; i++)
        {
            var offset = phoff + ((ulong)i * phentsize);
            if (offset + 4 > (ulong)elf.Length)
            {
                break;
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)offset..]) == 3 /* PT_INTERP */)
            {
                return true;
            }
        }

        return false;
    }
}
