using System.Text;
using Wharf.Core;
using Wharf.Images;
using Wharf.Images.Layers;
using Wharf.Interop;
using Wharf.Oci;
using Wharf.Snapshots;
using Wharf.Content;

namespace Wharf.Unit.Tests.Images;

public sealed class LayerApplierTests : IDisposable
{
    private readonly string _base = Path.Combine(Path.GetTempPath(), "wharf-apply-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;
    private readonly string _victim;

    public LayerApplierTests()
    {
        _root = Path.Combine(_base, "root", "layer");
        _victim = Path.Combine(_base, "root", "victim");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_victim);
        File.WriteAllText(Path.Combine(_victim, "hello"), "original");
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private LayerApplyResult Apply(TarBuilder tar) => LayerApplier.Apply(new MemoryStream(tar.Build()), _root);

    private void AssertVictimUntouched()
    {
        Assert.Equal(["hello"], Directory.EnumerateFileSystemEntries(_victim).Select(Path.GetFileName));
        Assert.Equal("original", File.ReadAllText(Path.Combine(_victim, "hello")));
        Assert.Equal(["layer", "victim"], Directory.EnumerateFileSystemEntries(Path.Combine(_base, "root")).Select(Path.GetFileName).Order());
    }

    private WharfException AssertRejected(TarBuilder tar, string entryName)
    {
        var e = Assert.Throws<WharfException>(() => Apply(tar));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"\"{entryName}\"", e.Message, StringComparison.Ordinal);
        AssertVictimUntouched();
        return e;
    }

    [Fact]
    public void Extracts_files_dirs_links_and_metadata()
    {
        FsProbe.RequireRoot();
        var tar = new TarBuilder()
            .Dir("./", (UnixFileMode)0x1ed)
            .Dir("bin/", (UnixFileMode)0x1c0, uid: 5, gid: 6)
            .File("bin/tool", "#!/bin/sh\n", (UnixFileMode)0x9ed /* 04755 */, uid: 1000, gid: 1001)
            .File("etc/conf", "x=1", pax: [new("SCHILY.xattr.user.note", "hi"), new("SCHILY.xattr.trusted.overlay.opaque", "y")])
            .Symlink("etc/passwd-link", "/etc/passwd")
            .HardLink("bin/tool2", "/bin/tool")
            .Fifo("run/fifo")
            .CharDevice("dev/null", 1, 3)
            .File("/abs/file", "in root");
        var result = Apply(tar);
        Assert.Equal(10 + 3 + 7, result.Size);

        Assert.Equal("#!/bin/sh\n", File.ReadAllText(Path.Combine(_root, "bin/tool")));
        Assert.Equal("1000:1001:4755:regular file:0:0", FsProbe.Stat(Path.Combine(_root, "bin/tool")));
        Assert.Equal("5:6:700:directory:0:0", FsProbe.Stat(Path.Combine(_root, "bin")));
        Assert.Equal(TarBuilder.T0.UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(_root, "bin/tool")));
        Assert.Equal(TarBuilder.T0.UtcDateTime, Directory.GetLastWriteTimeUtc(Path.Combine(_root, "bin")));
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(_root, "etc/passwd-link")).LinkTarget);
        Assert.StartsWith("1000:1001:4755:regular file", FsProbe.Stat(Path.Combine(_root, "bin/tool2")), StringComparison.Ordinal);
        Assert.Equal(2, int.Parse(StatLinks(Path.Combine(_root, "bin/tool")), System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith(":fifo:0:0", FsProbe.Stat(Path.Combine(_root, "run/fifo")), StringComparison.Ordinal);
        Assert.EndsWith(":character special file:1:3", FsProbe.Stat(Path.Combine(_root, "dev/null")), StringComparison.Ordinal);
        Assert.Equal("in root", File.ReadAllText(Path.Combine(_root, "abs/file")));
        Assert.Equal("hi"u8.ToArray(), Native.GetXattr(Path.Combine(_root, "etc/conf"), "user.note"));
        // A layer must not smuggle overlay's trusted xattrs.
        Assert.Null(Native.GetXattr(Path.Combine(_root, "etc/conf"), "trusted.overlay.opaque"));
        AssertVictimUntouched();
    }

    private static string StatLinks(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var s = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return s;
    }

    [Fact]
    public void Whiteouts_become_overlay_whiteouts()
    {
        FsProbe.RequireRoot();
        Apply(new TarBuilder()
            .Dir("d/")
            .File("d/keep", "k")
            .File(".wh.gone", "")
            .File("d/.wh..wh..opq", "")
            .File("d/.wh..wh.plnk", ""));
        Assert.StartsWith("0:0:", FsProbe.Stat(Path.Combine(_root, "gone")), StringComparison.Ordinal);
        Assert.EndsWith(":character special file:0:0", FsProbe.Stat(Path.Combine(_root, "gone")), StringComparison.Ordinal);
        Assert.Equal("y"u8.ToArray(), Native.GetXattr(Path.Combine(_root, "d"), "trusted.overlay.opaque"));
        Assert.False(File.Exists(Path.Combine(_root, "d/.wh..wh..opq")));
        Assert.False(File.Exists(Path.Combine(_root, "d/.wh..wh.plnk")));
        Assert.True(File.Exists(Path.Combine(_root, "d/keep")));
    }

    [Fact]
    public void Later_entries_replace_earlier_ones_without_following_links()
    {
        Apply(new TarBuilder()
            .Symlink("dotdot", "../victim/hello")
            .File("dotdot", "replaced")
            .File("f", "one")
            .File("f", "two"));
        Assert.Null(new FileInfo(Path.Combine(_root, "dotdot")).LinkTarget);
        Assert.Equal("replaced", File.ReadAllText(Path.Combine(_root, "dotdot")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(_root, "f")));
        AssertVictimUntouched();
    }

    [Theory]
    [InlineData("../victim/dotdot")]
    [InlineData("/../victim/x")]
    [InlineData("a/../../victim/x")]
    [InlineData("../")]
    public void Rejects_names_that_escape(string name) =>
        AssertRejected(new TarBuilder().File(name, "evil"), name);

    [Fact]
    public void Rejects_writing_through_an_absolute_symlink() =>
        AssertRejected(new TarBuilder().Symlink("a", "/").File("a/etc/passwd", "evil"), "a/etc/passwd");

    [Fact]
    public void Rejects_writing_through_a_relative_symlink() =>
        AssertRejected(new TarBuilder().Symlink("dotdot", "../victim").File("dotdot/hello", "evil"), "dotdot/hello");

    [Fact]
    public void Rejects_symlink_in_a_parent_of_a_directory_entry() =>
        AssertRejected(new TarBuilder().Symlink("up", "../../..").Dir("up/x/").File("up/x/y", "evil"), "up/x/");

    [Theory]
    [InlineData("../victim/hello")]
    [InlineData("../victim")]
    [InlineData("/etc/shadow")]
    [InlineData("../../../../etc/shadow")]
    public void Rejects_hard_links_out_of_the_layer(string target) =>
        AssertRejected(new TarBuilder().HardLink("loophole", target).File("loophole/file", "evil"), "loophole");

    [Fact]
    public void Hard_link_to_a_symlink_links_the_symlink_itself()
    {
        Apply(new TarBuilder().Symlink("s", "/etc/passwd").HardLink("h", "s"));
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(_root, "h")).LinkTarget);
    }

    [Theory]
    [InlineData("d/.wh...")]
    [InlineData(".wh.")]
    [InlineData("d/.wh..")]
    public void Rejects_bad_whiteouts(string name) =>
        AssertRejected(new TarBuilder().Dir("d/").File(name, ""), name);

    [Fact]
    public void Rejects_opaque_marker_below_a_symlinked_dir() =>
        AssertRejected(new TarBuilder().Symlink("sd", _victim).File("sd/.wh..wh..opq", ""), "sd/.wh..wh..opq");

    [Fact]
    public void Rejects_whiteout_whose_parent_is_a_symlink_to_root() =>
        AssertRejected(new TarBuilder().Symlink("r", "/").File("r/.wh.etc", ""), "r/.wh.etc");

    [Fact]
    public void Garbage_is_a_clear_error()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('x', 1024));
        var e = Assert.Throws<WharfException>(() => LayerApplier.Apply(new MemoryStream(bytes), _root));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void Unpacker_removes_the_temp_dir_of_a_malicious_layer()
    {
        var content = new LocalContentStore(Path.Combine(_base, "content"));
        var snaps = new OverlaySnapshotter(Path.Combine(_base, "snapshots"));
        var evil = content.Write(new TarBuilder().File("ok", "fine").Symlink("a", "/").File("a/tmp/pwned", "evil").BuildGzip());
        var e = Assert.Throws<WharfException>(() => LayerUnpacker.Unpack(content, snaps, evil.Digest, null));
        Assert.Contains("\"a/tmp/pwned\"", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_base, "snapshots", "tmp")));
        Assert.Empty(snaps.Layers());
        Assert.False(File.Exists("/tmp/pwned"));

        var good = new TarBuilder().File("ok", "fine");
        var blob = content.Write(good.BuildGzip());
        var layer = LayerUnpacker.Unpack(content, snaps, blob.Digest, null);
        Assert.Equal(Digest.FromBytes(good.Build()), layer.DiffId);
        Assert.Equal(layer.DiffId.ToString(), layer.ChainId);
        Assert.Equal(CompressionKind.Gzip, layer.Compression);
        Assert.Equal("fine", File.ReadAllText(Path.Combine(snaps.LayerPath(layer.ChainId), "ok")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_base, "snapshots", "tmp")));
    }

    [Fact]
    public void Detects_compression_from_magic()
    {
        Assert.Equal(CompressionKind.Gzip, LayerCompression.Detect([0x1f, 0x8b, 0x08, 0, 0, 0]));
        Assert.Equal(CompressionKind.Zstd, LayerCompression.Detect([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
        Assert.Equal(CompressionKind.Bzip2, LayerCompression.Detect("BZh91A"u8));
        Assert.Equal(CompressionKind.Xz, LayerCompression.Detect([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
        Assert.Equal(CompressionKind.None, LayerCompression.Detect("./\0\0"u8));
        // xz is read in-process too (ArchiveExtractorTests round-trips real xz output); a truncated stream fails on read.
        using (var truncated = LayerCompression.OpenDecompressed(new MemoryStream([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1]), out var xz))
        {
            Assert.Equal(CompressionKind.Xz, xz);
            Assert.ThrowsAny<Exception>(() => truncated.ReadByte());
        }

        var tar = new TarBuilder().File("z", "zstd content").Build();
        var zs = new MemoryStream();
        using (var c = new ZstdSharp.CompressionStream(zs, leaveOpen: true)) c.Write(tar);
        zs.Position = 0;
        using var d = LayerCompression.OpenDecompressed(zs, out var kind);
        Assert.Equal(CompressionKind.Zstd, kind);
        var back = new MemoryStream();
        d.CopyTo(back);
        Assert.Equal(tar, back.ToArray());
    }
}
