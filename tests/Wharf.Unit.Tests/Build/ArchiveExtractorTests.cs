using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Wharf.Build.Execution;

namespace Wharf.Unit.Tests.Build;

/// <summary>ADD's auto-extraction: every compression Docker detects is unpacked; anything else is copied as a file.</summary>
public sealed class ArchiveExtractorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("wharf-unit-add-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Tar()
    {
        var path = Path.Combine(_dir.FullName, "ctx.tar");
        using var f = File.Create(path);
        using var w = new TarWriter(f, TarEntryFormat.Pax);
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "app/") { Mode = (UnixFileMode)0b111_101_101 });
        var file = new PaxTarEntry(TarEntryType.RegularFile, "app/hello.txt") { Mode = (UnixFileMode)0b110_100_000 };
        file.DataStream = new MemoryStream("hello from the archive\n"u8.ToArray());
        w.WriteEntry(file);
        return path;
    }

    /// <summary>Compresses with the real tool (xz-utils, bzip2 and zstd are installed by scripts/lib.sh).</summary>
    private static string Compress(string path, string tool)
    {
        if (tool == "gzip")
        {
            using (var input = File.OpenRead(path))
            using (var output = new GZipStream(File.Create(path + ".gz"), CompressionLevel.Fastest))
                input.CopyTo(output);
            return path + ".gz";
        }
        var psi = new ProcessStartInfo(tool, ["-k", "-q", path]) { UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{tool} did not start");
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} failed; it is one of the packages scripts/lib.sh installs");
        return path + tool switch { "xz" => ".xz", "bzip2" => ".bz2", "zstd" => ".zst", _ => throw new ArgumentException(tool) };
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("bzip2")]
    [InlineData("xz")]
    [InlineData("zstd")]
    public void Every_compression_docker_detects_is_extracted(string tool)
    {
        var archive = tool == "none" ? Tar() : Compress(Tar(), tool);
        var root = Directory.CreateDirectory(Path.Combine(_dir.FullName, "rootfs")).FullName;

        Assert.True(ArchiveExtractor.IsArchive(archive));
        ArchiveExtractor.Extract(archive, root, "dest");

        Assert.Equal("hello from the archive\n", File.ReadAllText(Path.Combine(root, "dest/app/hello.txt")));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(Path.Combine(root, "dest/app/hello.txt")));
    }

    [Theory]
    [InlineData("plain text, not a tar\n")]
    [InlineData("\u001f\u008b\u0008 a gzip magic with garbage after it")]
    [InlineData("BZh9 a bzip2 magic with garbage after it")]
    public void A_file_that_only_looks_compressed_is_not_an_archive(string content)
    {
        var path = Path.Combine(_dir.FullName, "file");
        File.WriteAllText(path, content, System.Text.Encoding.Latin1);
        Assert.False(ArchiveExtractor.IsArchive(path));
    }
}
