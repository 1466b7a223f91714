using System.Formats.Tar;
using System.Text;
using Wharf.Core;
using Wharf.Interop;
using Wharf.Snapshots.Archive;

namespace Wharf.Unit.Tests.Snapshots;

/// <summary>Container paths resolve inside the container root: links to "/", "../.." and absolute targets
/// never reach host files, for reading (cp out) or writing (cp in).</summary>
public sealed class ContainerRootTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-root-").FullName;

    public ContainerRootTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
        Directory.CreateDirectory(Path.Combine(_root, "d"));
        File.WriteAllText(Path.Combine(_root, "etc/shadow"), "container shadow");
        File.CreateSymbolicLink(Path.Combine(_root, "x"), "/");
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../../..");
        File.CreateSymbolicLink(Path.Combine(_root, "abs"), "/etc/shadow");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("/x/etc/shadow")]
    [InlineData("/up/etc/shadow")]
    [InlineData("x/../../../etc/shadow")]
    public void Reads_through_escaping_links_stay_in_the_root(string path)
    {
        using var root = new ContainerRoot(_root);
        using var parent = root.OpenParent(path, out var name, out _);
        Assert.NotNull(parent);
        using var file = FdHandles.OpenChildForRead(parent, name);
        Assert.NotNull(file);
        using var fs = new FileStream(file, FileAccess.Read);
        Assert.Equal("container shadow", new StreamReader(fs).ReadToEnd());
    }

    [Fact]
    public void Canonical_paths_are_container_paths()
    {
        using var root = new ContainerRoot(_root);
        Assert.Equal("/etc", root.Canonical("/up/etc"));
        Assert.Equal("/", root.Canonical("/x"));
        Assert.Equal("/etc/shadow", root.Canonical("/abs"));
        Assert.Null(root.Canonical("/missing"));
    }

    [Fact]
    public void The_last_component_is_not_followed_unless_it_ends_in_a_slash()
    {
        using var root = new ContainerRoot(_root);
        using var parent = root.OpenParent("/abs", out var name, out _);
        Assert.Equal("abs", name);
        Assert.True(Native.TryStatAt(FdHandles.Fd(parent!), name, out var st) && st.IsSymlink);
        using var dir = root.OpenParent("/x/", out var self, out _);
        Assert.Equal("", self);
        Assert.True(Native.TryStatAt(FdHandles.Fd(dir!), "", out var rootStat) && rootStat.IsDirectory);
    }

    [Fact]
    public void Extraction_through_links_to_root_writes_inside_the_container()
    {
        var marker = "wharf-unit-" + Guid.NewGuid().ToString("N");
        using var root = new ContainerRoot(_root);
        var destination = root.Canonical("/x")!;
        new InRootExtractor(root, destination, noOverwriteDirNonDir: false, owner: null)
            .Extract(Tar(("tmp/" + marker, "a"), ("up/tmp/" + marker + "2", "b")), default);

        Assert.Equal("a", File.ReadAllText(Path.Combine(_root, "tmp", marker)));
        Assert.Equal("b", File.ReadAllText(Path.Combine(_root, "tmp", marker + "2")));
        Assert.False(File.Exists(Path.Combine("/tmp", marker)));
        Assert.False(File.Exists(Path.Combine("/tmp", marker + "2")));
    }

    [Fact]
    public void Entry_replacing_a_symlink_replaces_the_link_not_its_target()
    {
        using var root = new ContainerRoot(_root);
        new InRootExtractor(root, "/", false, null).Extract(Tar(("abs", "new content")), default);
        Assert.Equal("container shadow", File.ReadAllText(Path.Combine(_root, "etc/shadow")));
        Assert.Equal("new content", File.ReadAllText(Path.Combine(_root, "abs")));
    }

    [Fact]
    public void Names_climbing_out_and_dir_non_dir_overwrites_are_refused()
    {
        using var root = new ContainerRoot(_root);
        var climb = Assert.Throws<WharfException>(() => new InRootExtractor(root, "/tmp", false, null).Extract(Tar(("../../escape", "x")), default));
        Assert.Equal(ErrorKind.InvalidArgument, climb.Kind);
        var overwrite = Assert.Throws<WharfException>(() => new InRootExtractor(root, "/", true, null).Extract(Tar(("d", "x")), default));
        Assert.Contains("cannot overwrite directory", overwrite.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_root, "d")));
    }

    private static MemoryStream Tar(params (string Name, string Content)[] files)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1a4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        }
        ms.Position = 0;
        return ms;
    }
}
