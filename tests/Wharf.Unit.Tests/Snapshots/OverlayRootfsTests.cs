using System.Text.Json;
using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Images;
using Wharf.Oci;
using Wharf.Oci.Image;
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
    public void Two_layer_image_applies_whiteouts_and_opaque_dirs()
    {
        FsProbe.RequireRoot();
        var svc = new ImageService(Path.Combine(_root, "data"));
        var l1 = new TarBuilder().Dir("a/").File("a/file1", "1").File("a/file2", "2").Dir("b/").File("b/x", "x");
        var l2 = new TarBuilder().File("a/.wh.file1", "").Dir("b/").File("b/.wh..wh..opq", "").File("b/y", "y");
        var blobs = new[] { l1, l2 }.Select(t => svc.Content.Write(t.BuildGzip())).ToList();
        var config = new ImageConfigFile
        {
            Created = DateTimeOffset.UtcNow,
            RootFs = new RootFs { DiffIds = [Digest.FromBytes(l1.Build()).ToString(), Digest.FromBytes(l2.Build()).ToString()] },
            Config = new ImageRunConfig { Cmd = ["sh"] },
        };
        var layers = blobs.Select(b => new Descriptor { MediaType = MediaTypes.DockerLayerGzip, Digest = b.Digest.ToString(), Size = b.Size }).ToList();
        var configJson = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.ImageConfigFile);

        // A config whose diff_ids do not match the layers is refused and leaves no image or snapshot.
        var wrong = config with { RootFs = new RootFs { DiffIds = [config.RootFs.DiffIds[0], config.RootFs.DiffIds[0]] } };
        var e = Assert.Throws<WharfException>(() => svc.Register(new ImageRegistration(JsonSerializer.SerializeToUtf8Bytes(wrong, OciJsonContext.Default.ImageConfigFile), layers), ["bad:1"]));
        Assert.Contains("don't match image configuration", e.Message, StringComparison.Ordinal);
        Assert.Empty(svc.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "data", "snapshots", "tmp")));

        var id = svc.Register(new ImageRegistration(configJson, layers), ["two:layers"]);
        Assert.Equal(id, svc.Resolve("two:layers").Id);
        Assert.Equal(2, svc.Inspect(id).RootFS.Layers.Count);
        var history = svc.History("two:layers");
        Assert.Empty(history);

        var cid = new string('a', 64);
        var target = Path.Combine(_root, "rootfs2");
        Directory.CreateDirectory(target);
        _mounted.Add(target);
        MountHelper.MountAll(svc.PrepareContainerRootfs(cid, id), target);
        Assert.False(File.Exists(Path.Combine(target, "a/file1")));
        Assert.Equal("2", File.ReadAllText(Path.Combine(target, "a/file2")));
        Assert.False(File.Exists(Path.Combine(target, "b/x")));
        Assert.Equal("y", File.ReadAllText(Path.Combine(target, "b/y")));
        MountHelper.UnmountAll(target);
        svc.RemoveContainerRootfs(cid);

        var removed = svc.Remove("two:layers");
        Assert.Equal("two:layers", removed[0].Untagged);
        Assert.Equal(id, removed[1].Deleted);
        Assert.Equal(4, removed.Count); // the image and its two layers
        Assert.Empty(svc.Snapshots.Layers());
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
