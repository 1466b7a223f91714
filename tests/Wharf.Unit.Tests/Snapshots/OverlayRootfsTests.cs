using Wharf.Engine.Images;
using Wharf.Snapshots;
using Wharf.Unit.Tests.Images;

namespace Wharf.Unit.Tests.Snapshots;

/// <summary>Root: imports a small rootfs, mounts the container's overlay and checks copy-up and whiteouts.</summary>
public sealed class OverlayRootfsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-overlay-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _mounted = [];

    public void Dispose()
    {
        foreach (var m in _mounted) MountHelper.UnmountAll(m);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Container_rootfs_mounts_and_cleans_up()
    {
        FsProbe.RequireRoot();
        var svc = new ImageService(Path.Combine(_root, "data"));
        var tar = new TarBuilder()
            .Dir("bin/")
            .File("bin/hello", "hello from the image", (UnixFileMode)0x1ed)
            .Dir("etc/")
            .File("etc/os-release", "ID=test")
            .Symlink("lib", "bin");
        var id = svc.Import(new MemoryStream(tar.BuildGzip()), "test/rootfs", "1");
        var cid = new string('f', 64);
        var mounts = svc.PrepareContainerRootfs(cid, id);

        var target = Path.Combine(_root, "rootfs");
        Directory.CreateDirectory(target);
        Assert.False(MountHelper.IsMountPoint(target));
        _mounted.Add(target);
        MountHelper.MountAll(mounts, target);
        Assert.True(MountHelper.IsMountPoint(target));

        Assert.Equal("hello from the image", File.ReadAllText(Path.Combine(target, "bin/hello")));
        Assert.Equal("ID=test", File.ReadAllText(Path.Combine(target, "lib/../etc/os-release")));
        Assert.Equal("bin", new FileInfo(Path.Combine(target, "lib")).LinkTarget);

        // Writes land in the container's upper dir, never in the shared layer.
        File.WriteAllText(Path.Combine(target, "etc/os-release"), "changed");
        File.Delete(Path.Combine(target, "bin/hello"));
        var layerDir = svc.Snapshots.LayerPath(svc.Inspect(id).RootFS.Layers[0]);
        Assert.Equal("ID=test", File.ReadAllText(Path.Combine(layerDir, "etc/os-release")));
        Assert.True(File.Exists(Path.Combine(layerDir, "bin/hello")));
        var upper = svc.Snapshots.ContainerUpperDir(cid);
        Assert.Equal("changed", File.ReadAllText(Path.Combine(upper, "etc/os-release")));
        Assert.EndsWith(":character special file:0:0", FsProbe.Stat(Path.Combine(upper, "bin/hello")), StringComparison.Ordinal);

        MountHelper.Unmount(target);
        Assert.False(MountHelper.IsMountPoint(target));
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        svc.RemoveContainerRootfs(cid);
        Assert.False(Directory.Exists(Path.Combine(_root, "data", "snapshots", "containers", cid)));
        // The image's layer stays for the image.
        Assert.True(Directory.Exists(layerDir));
    }

    [Fact]
    public void Zero_layer_image_uses_the_empty_lower_dir()
    {
        FsProbe.RequireRoot();
        var snaps = new OverlaySnapshotter(Path.Combine(_root, "snaps"));
        var mounts = snaps.PrepareContainer("c1", []);
        Assert.Contains("lowerdir=" + Path.Combine(_root, "snaps", "empty"), mounts[0].Options);
        var target = Path.Combine(_root, "rootfs0");
        Directory.CreateDirectory(target);
        _mounted.Add(target);
        MountHelper.MountAll(mounts, target);
        File.WriteAllText(Path.Combine(target, "new"), "x");
        MountHelper.UnmountAll(target);
        Assert.Equal("x", File.ReadAllText(Path.Combine(snaps.ContainerUpperDir("c1"), "new")));
        snaps.RemoveContainer("c1");
        Assert.False(snaps.ContainerExists("c1"));
    }
}
