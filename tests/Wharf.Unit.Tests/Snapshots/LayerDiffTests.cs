using System.Formats.Tar;
using Wharf.Engine.Images;
using Wharf.Images;
using Wharf.Oci.Image;
using Wharf.Snapshots;
using Wharf.Snapshots.Archive;
using Wharf.Unit.Tests.Images;

namespace Wharf.Unit.Tests.Snapshots;

/// <summary>Root: changes made through a mounted container overlay come out as Docker's layer diff (whiteouts,
/// opaque dirs, owners, modes, links), as `docker diff` lines, and as a committed image that has them.</summary>
public sealed class LayerDiffTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-diff-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _mounted = [];

    public void Dispose()
    {
        foreach (var m in _mounted) MountHelper.UnmountAll(m);
        Directory.Delete(_root, recursive: true);
    }

    private (ImageService Svc, string ImageId, string Rootfs, string Cid) MountedContainer()
    {
        FsProbe.RequireRoot();
        var svc = new ImageService(Path.Combine(_root, "data"));
        var tar = new TarBuilder()
            .Dir("a/").File("a/file1", "1").File("a/file2", "2")
            .Dir("b/").File("b/x", "x")
            .Dir("etc/").File("etc/hostname", "");
        var id = svc.Import(new MemoryStream(tar.Build()), "test/base", "1");
        var cid = new string('a', 64);
        var rootfs = Mount(svc, cid, id);
        return (svc, id, rootfs, cid);
    }

    private string Mount(ImageService svc, string cid, string imageId)
    {
        var mounts = svc.PrepareContainerRootfs(cid, imageId);
        var target = Path.Combine(_root, "rootfs-" + cid[..4]);
        Directory.CreateDirectory(target);
        _mounted.Add(target);
        MountHelper.MountAll(mounts, target);
        return target;
    }

    private static void MakeChanges(string r)
    {
        File.Delete(Path.Combine(r, "a/file1"));
        File.WriteAllText(Path.Combine(r, "a/file2"), "two");
        Directory.Delete(Path.Combine(r, "b"), recursive: true);
        Directory.CreateDirectory(Path.Combine(r, "b"));
        File.WriteAllText(Path.Combine(r, "b/y"), "y");
        Directory.CreateDirectory(Path.Combine(r, "new/sub"));
        File.WriteAllText(Path.Combine(r, "new/sub/data"), "payload");
        File.SetUnixFileMode(Path.Combine(r, "new/sub/data"), (UnixFileMode)0x1e8); // 0750
        Wharf.Interop.Native.lchown(Path.Combine(r, "new/sub/data"), 1000, 1001);
        Assert.Equal(0, Wharf.Interop.Native.link(Path.Combine(r, "new/sub/data"), Path.Combine(r, "new/hard")));
        File.CreateSymbolicLink(Path.Combine(r, "new/link"), "/etc/shadow");
        File.SetLastWriteTimeUtc(Path.Combine(r, "new/sub/data"), new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        File.WriteAllText(Path.Combine(r, "etc/hostname"), "runtime placeholder");
    }

    [Fact]
    public void Diff_tar_has_whiteouts_opaque_dirs_owners_modes_and_links()
    {
        var (svc, _, rootfs, cid) = MountedContainer();
        MakeChanges(rootfs);

        var ms = new MemoryStream();
        svc.WriteContainerDiff(cid, ms, rel => rel == "etc/hostname");
        ms.Position = 0;
        var entries = new Dictionary<string, TarEntry>();
        using (var reader = new TarReader(ms))
            while (reader.GetNextEntry(copyData: true) is { } e) entries[e.Name] = e;

        Assert.Equal(TarEntryType.RegularFile, entries["a/.wh.file1"].EntryType);
        Assert.Equal(0, entries["a/.wh.file1"].Length);
        Assert.True(entries.ContainsKey("b/.wh..wh..opq"));
        Assert.Equal(TarEntryType.Directory, entries["b/"].EntryType);
        Assert.False(entries.ContainsKey("b/x"));
        Assert.Equal("two", ReadText(entries["a/file2"]));
        Assert.False(entries.ContainsKey("etc/hostname"));

        var data = entries["new/sub/data"];
        Assert.Equal((UnixFileMode)0x1e8, data.Mode);
        Assert.Equal((1000, 1001), (data.Uid, data.Gid));
        Assert.Equal(new DateTimeOffset(2021, 5, 6, 7, 8, 9, TimeSpan.Zero), data.ModificationTime);
        // "new/hard" sorts before "new/sub/data": the first name written carries the data.
        Assert.Equal(TarEntryType.RegularFile, entries["new/hard"].EntryType);
        Assert.Equal(TarEntryType.HardLink, data.EntryType);
        Assert.Equal("new/hard", data.LinkName);
        Assert.Equal(TarEntryType.SymbolicLink, entries["new/link"].EntryType);
        Assert.Equal("/etc/shadow", entries["new/link"].LinkName);
    }

    [Fact]
    public void Changes_report_what_docker_diff_shows()
    {
        var (svc, _, rootfs, cid) = MountedContainer();
        MakeChanges(rootfs);

        var lines = svc.ContainerChanges(cid, rel => rel == "etc/hostname").Select(c => $"{"CAD"[(int)c.Kind]} {c.Path}").ToList();

        Assert.Equal(
        [
            "C /a", "D /a/file1", "C /a/file2",
            "C /b", "A /b/y",
            "A /new", "A /new/hard", "A /new/link", "A /new/sub", "A /new/sub/data",
        ], lines);
    }

    [Fact]
    public void Mount_point_stubs_take_their_holding_directories_but_never_real_changes()
    {
        var (svc, _, rootfs, cid) = MountedContainer();
        File.WriteAllText(Path.Combine(rootfs, "etc/hosts"), ""); // etc is in the image: copied up only for the stub
        Directory.CreateDirectory(Path.Combine(rootfs, "mnt/a/b")); // mnt is new: made only for the stub
        Directory.CreateDirectory(Path.Combine(rootfs, "srv/cache"));
        File.WriteAllText(Path.Combine(rootfs, "srv/real"), "kept"); // srv holds a real change too

        var stubs = svc.MountPointStubs(cid, ["etc/hosts", "mnt/a/b", "srv/cache"]);

        Assert.Equal(["etc", "etc/hosts", "mnt", "mnt/a", "mnt/a/b", "srv/cache"], stubs.Order(StringComparer.Ordinal));
        var lines = svc.ContainerChanges(cid, stubs.Contains).Select(c => $"{"CAD"[(int)c.Kind]} {c.Path}").Order(StringComparer.Ordinal);
        Assert.Equal(["A /srv", "A /srv/real"], lines);
    }

    [Fact]
    public void A_container_without_changes_commits_an_empty_layer_as_docker_does()
    {
        var (svc, baseId, _, cid) = MountedContainer();
        var tar = new MemoryStream();
        svc.WriteContainerDiff(cid, tar);

        Assert.Equal(new byte[1024], tar.ToArray());
        tar.Position = 0;
        var id = svc.Commit(new ImageCommitRequest(baseId, new ImageRunConfig(), tar, CreatedBy: "RUN true"), null);

        // Docker's empty layer: 1024 zero bytes, diff ID sha256:5f70bf18….
        Assert.Equal("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", svc.GetImageConfig(id).RootFs.DiffIds[^1]);
    }

    [Fact]
    public void Committed_image_has_the_changes_and_history()
    {
        var (svc, baseId, rootfs, cid) = MountedContainer();
        MakeChanges(rootfs);
        var tar = new MemoryStream();
        svc.WriteContainerDiff(cid, tar, rel => rel == "etc/hostname");
        tar.Position = 0;

        var id = svc.Commit(new ImageCommitRequest(baseId, new ImageRunConfig { Cmd = ["echo", "hi"] }, tar,
            CreatedBy: "sh", Comment: "msg", Author: "me"), ["test/committed:v1"]);

        Assert.Equal(id, svc.Resolve("test/committed:v1").Id);
        var config = svc.GetImageConfig(id);
        Assert.Equal(2, config.RootFs.DiffIds.Count);
        Assert.Equal("msg", config.Comment);
        Assert.Equal("me", config.Author);
        Assert.Equal(["echo", "hi"], config.Config!.Cmd!);
        Assert.Equal("msg", config.History![^1].Comment);
        Assert.Equal(2, config.History.Count);
        // docker history: each step's own layer, hard links once ("two", "y", "payload" and the 11-byte link; the
        // base layer's "1", "2", "x").
        Assert.Equal([22L, 3L], svc.History(id).Select(h => h.Size));

        var r2 = Mount(svc, new string('b', 64), id);
        Assert.False(File.Exists(Path.Combine(r2, "a/file1")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(r2, "a/file2")));
        Assert.False(File.Exists(Path.Combine(r2, "b/x")));
        Assert.Equal("y", File.ReadAllText(Path.Combine(r2, "b/y")));
        Assert.Equal("1000:1001:750:regular file:0:0", FsProbe.Stat(Path.Combine(r2, "new/sub/data")));
        Assert.Equal("/etc/shadow", new FileInfo(Path.Combine(r2, "new/link")).LinkTarget);
        Assert.Equal("payload", File.ReadAllText(Path.Combine(r2, "new/hard")));

        // A config-only step adds an empty_layer history entry and no layer.
        var id2 = svc.Commit(new ImageCommitRequest(id, new ImageRunConfig { Env = ["A=1"] }, null, CreatedBy: "ENV A=1"));
        var c2 = svc.GetImageConfig(id2);
        Assert.Equal(2, c2.RootFs.DiffIds.Count);
        Assert.True(c2.History![^1].EmptyLayer);
    }

    private static string ReadText(TarEntry e)
    {
        using var r = new StreamReader(e.DataStream!);
        return r.ReadToEnd();
    }
}
