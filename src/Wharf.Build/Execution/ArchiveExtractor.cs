using System.Formats.Tar;
using Wharf.Build.Context;
using Wharf.Images.Layers;
using Wharf.Interop;

namespace Wharf.Build.Execution;

/// <summary>
/// ADD's auto-extraction of a local tar (plain, gzip, bzip2, xz or zstd, as Docker detects them). Every entry lands inside the root filesystem: names and
/// link targets are resolved with <see cref="RootPath"/> (clamped at the image's root, never the host's).
/// </summary>
internal static class ArchiveExtractor
{
    public static bool IsArchive(string path)
    {
        try
        {
            using var s = Open(path);
            var header = new byte[512];
            var read = 0;
            while (read < header.Length)
            {
                var n = s.Read(header, read, header.Length - read);
                if (n == 0) break;
                read += n;
            }
            return read == 512 && header[257] == (byte)'u' && header[258] == (byte)'s' && header[259] == (byte)'t'
                   && header[260] == (byte)'a' && header[261] == (byte)'r';
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // Each decompressor has its own error type for a corrupt stream; Docker copies such a file as it is.
            return false;
        }
    }

    private static Stream Open(string path) => LayerCompression.OpenDecompressed(File.OpenRead(path), out _);

    public static void Extract(string archive, string rootfs, string destRel)
    {
        using var s = Open(archive);
        using var reader = new TarReader(s);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = DockerIgnore.Clean(entry.Name);
            if (name.Length == 0) continue;
            var rel = destRel.Length == 0 ? name : destRel + "/" + name;
            var parentRel = rel.Contains('/') ? rel[..rel.LastIndexOf('/')] : "";
            var parent = RootPath.Resolve(rootfs, parentRel);
            Directory.CreateDirectory(parent);
            var target = parent + "/" + Path.GetFileName(name);
            var existing = new FileInfo(target);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (existing.LinkTarget is not null) existing.Delete();
                    Directory.CreateDirectory(target);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (existing.LinkTarget is not null || existing.Exists) existing.Delete();
                    using (var f = File.Create(target)) entry.DataStream?.CopyTo(f);
                    break;
                case TarEntryType.SymbolicLink:
                    if (existing.LinkTarget is not null || existing.Exists) existing.Delete();
                    File.CreateSymbolicLink(target, entry.LinkName);
                    Native.lchown(target, entry.Uid, entry.Gid);
                    continue;
                case TarEntryType.HardLink:
                    var linkRel = DockerIgnore.Clean((destRel.Length == 0 ? "" : destRel + "/") + DockerIgnore.Clean(entry.LinkName));
                    var source = RootPath.Resolve(rootfs, linkRel);
                    if (!File.Exists(source)) continue;
                    if (existing.LinkTarget is not null || existing.Exists) existing.Delete();
                    File.Copy(source, target);
                    break;
                default:
                    continue; // no devices or fifos from an ADD archive
            }
            Native.lchown(target, entry.Uid, entry.Gid);
            File.SetUnixFileMode(target, (UnixFileMode)((int)entry.Mode & 0xFFF));
            if (entry.EntryType != TarEntryType.Directory) File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
        }
    }
}
