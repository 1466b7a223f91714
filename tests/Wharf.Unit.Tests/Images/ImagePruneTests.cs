using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Snapshots;

namespace Wharf.Unit.Tests.Images;

/// <summary>docker image prune and the image part of docker system df.</summary>
public sealed class ImagePruneTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-prune-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class FakeUsage : IImageUsage
    {
        public HashSet<string> Used { get; } = [];
        public IReadOnlyList<ImageUser> ContainersUsing(string imageId) => Used.Contains(imageId) ? [new ImageUser("c" + imageId[7..], false)] : [];
    }

    private static MemoryStream Rootfs(string marker, int size = 10) =>
        new(new TarBuilder().File("marker", marker + new string('x', size)).BuildGzip());

    private static Dictionary<string, IReadOnlyList<string>> F(params (string Key, string Value)[] filters) =>
        filters.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(f => f.Value).ToList());

    [Fact]
    public void Default_prune_removes_only_dangling_images_and_reports_space()
    {
        var svc = new ImageService(_root);
        var tagged = svc.Import(Rootfs("t"), "keep", "1");
        var dangling = svc.Import(Rootfs("d", 1000));
        var result = svc.Prune();
        Assert.Contains(result.ImagesDeleted!, d => d.Deleted == dangling);
        Assert.Equal(1001UL, result.SpaceReclaimed);
        Assert.Equal(tagged, Assert.Single(svc.List()).Id);
        // Nothing left to prune: null list, zero bytes (as Docker answers).
        var again = svc.Prune();
        Assert.Null(again.ImagesDeleted);
        Assert.Equal(0UL, again.SpaceReclaimed);
    }

    [Fact]
    public void Prune_all_removes_unused_tagged_images_but_not_used_ones()
    {
        var usage = new FakeUsage();
        var svc = new ImageService(_root) { Usage = usage };
        var used = svc.Import(Rootfs("u"), "used", "1");
        var unused = svc.Import(Rootfs("n"), "unused", "1");
        svc.Tag(unused, "unused", "2");
        usage.Used.Add(used);
        var result = svc.Prune(F(("dangling", "false")));
        Assert.Contains(result.ImagesDeleted!, d => d.Untagged == "unused:1");
        Assert.Contains(result.ImagesDeleted!, d => d.Untagged == "unused:2");
        Assert.Contains(result.ImagesDeleted!, d => d.Deleted == unused);
        Assert.Equal(used, Assert.Single(svc.List()).Id);
    }

    [Fact]
    public void Prune_filters_label_and_until()
    {
        var svc = new ImageService(_root);
        var a = svc.Import(Rootfs("a"), "a", "1", changes: ["LABEL keep=yes"]);
        var b = svc.Import(Rootfs("b"), "b", "1", changes: ["LABEL keep=no"]);
        // until= in the past matches nothing (every image was created just now).
        Assert.Null(svc.Prune(F(("dangling", "false"), ("until", "2000-01-01T00:00:00Z"))).ImagesDeleted);
        Assert.Null(svc.Prune(F(("dangling", "false"), ("label", "keep=maybe"))).ImagesDeleted);
        var result = svc.Prune(F(("dangling", "false"), ("label!", "keep=yes")));
        Assert.Contains(result.ImagesDeleted!, d => d.Deleted == b);
        Assert.Equal(a, Assert.Single(svc.List()).Id);
        Assert.Throws<WharfException>(() => svc.Prune(F(("reference", "x"))));
        Assert.Throws<WharfException>(() => svc.Prune(F(("dangling", "maybe"))));
    }

    [Fact]
    public void Disk_usage_counts_shared_layers_and_containers()
    {
        var usage = new FakeUsage();
        var svc = new ImageService(_root) { Usage = usage };
        var a = svc.Import(Rootfs("same", 100), "a", "1");
        var b = svc.Import(Rootfs("other", 50), "b", "1");
        usage.Used.Add(a);
        var du = svc.DiskUsage();
        var ia = du.Images.Single(i => i.Id == a);
        Assert.Equal(104, ia.Size);
        Assert.Equal(0, ia.SharedSize);
        Assert.Equal(1, ia.Containers);
        Assert.Equal(0, du.Images.Single(i => i.Id == b).Containers);
        Assert.Equal(104 + 55, du.LayersSize);
    }

    [Fact]
    public void Disk_usage_counts_a_hard_linked_file_once()
    {
        var dir = Path.Combine(_root, "hl");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "a"), new byte[5000]);
        using (var ln = System.Diagnostics.Process.Start("ln", [Path.Combine(dir, "a"), Path.Combine(dir, "b")])) ln.WaitForExit();
        Assert.True(File.Exists(Path.Combine(dir, "b")));
        File.WriteAllBytes(Path.Combine(dir, "c"), new byte[7]);
        Directory.CreateSymbolicLink(Path.Combine(dir, "up"), "/usr"); // never followed
        Assert.Equal(5007 + "/usr".Length, DiskUsage.Of(dir));
    }
}
