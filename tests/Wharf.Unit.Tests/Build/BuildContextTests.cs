using System.Formats.Tar;
using Wharf.Build.Context;
using Wharf.Core;

namespace Wharf.Unit.Tests.Build;

/// <summary>Unpacking the build context: entries land only inside it, and a context outgrowing the in-memory
/// spool moves to disk without losing a file, a link or a mode.</summary>
public sealed class BuildContextTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("wharf-unit-ctx-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static MemoryStream Tar(params (string Name, string? Content, string? Link)[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, link) in entries)
            {
                if (link is not null)
                {
                    w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = link });
                    continue;
                }
                var e = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b111_101_000 };
                e.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content ?? ""));
                w.WriteEntry(e);
            }
        }
        ms.Position = 0;
        return ms;
    }

    private (string Fast, string Disk) Parents() =>
        (Path.Combine(_dir.FullName, "fast"), Path.Combine(_dir.FullName, "disk"));

    [Fact]
    public void A_small_context_stays_in_the_fast_directory()
    {
        var (fast, disk) = Parents();
        using var ctx = BuildContext.Extract(Tar(("Dockerfile", "FROM scratch\n", null)), new ContextSpool(fast, disk, 1 << 20));

        Assert.StartsWith(fast + "/", ctx.Root, StringComparison.Ordinal);
        Assert.Equal("FROM scratch\n", File.ReadAllText(Path.Combine(ctx.Root, "Dockerfile")));
    }

    [Fact]
    public void A_context_over_the_limit_moves_to_disk_with_everything_written_before()
    {
        var (fast, disk) = Parents();
        var big = new string('x', 600);
        using var ctx = BuildContext.Extract(Tar(
                ("Dockerfile", "FROM scratch\n", null), ("src/a.sh", big, null), ("src/link", null, "a.sh"), ("src/b.txt", big, null)),
            new ContextSpool(fast, disk, 1000));

        Assert.StartsWith(disk + "/", ctx.Root, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(fast));
        Assert.Equal("FROM scratch\n", File.ReadAllText(Path.Combine(ctx.Root, "Dockerfile")));
        Assert.Equal(big, File.ReadAllText(Path.Combine(ctx.Root, "src/a.sh")));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Path.Combine(ctx.Root, "src/a.sh")));
        Assert.Equal("a.sh", new FileInfo(Path.Combine(ctx.Root, "src/link")).LinkTarget);
        Assert.Equal(big, File.ReadAllText(Path.Combine(ctx.Root, "src/b.txt")));
    }

    [Fact]
    public void Disposing_removes_the_unpacked_tree()
    {
        var (fast, disk) = Parents();
        var ctx = BuildContext.Extract(Tar(("Dockerfile", "FROM scratch\n", null)), new ContextSpool(fast, disk, 1 << 20));
        ctx.Dispose();
        Assert.False(Directory.Exists(ctx.Root));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../escape")]
    public void Entries_outside_the_context_are_refused(string name)
    {
        var (fast, disk) = Parents();
        var e = Assert.Throws<WharfException>(() => BuildContext.Extract(Tar((name, "x", null)), new ContextSpool(fast, disk, 1 << 20)));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(fast));
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "escape")));
    }
}
