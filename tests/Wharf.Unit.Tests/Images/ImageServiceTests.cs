using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Oci;

namespace Wharf.Unit.Tests.Images;

public sealed class ImageServiceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-images-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class FakeUsage : IImageUsage
    {
        public List<(string Image, ImageUser User)> Users { get; } = [];
        public IReadOnlyList<ImageUser> ContainersUsing(string imageId) => Users.Where(u => u.Image == imageId).Select(u => u.User).ToList();
    }

    private static MemoryStream Rootfs(string marker) =>
        new(new TarBuilder().Dir("bin/").File("bin/marker", marker).File("etc/hostname", "x").BuildGzip());

    [Fact]
    public void Import_creates_a_complete_named_image()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("a"), "busybox", "latest", changes: ["CMD [\"sh\"]", "ENV A=1 B=\"two words\"", "LABEL x=y", "EXPOSE 80", "WORKDIR /w"]);
        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);

        var resolved = svc.Resolve("busybox");
        Assert.Equal(id, resolved.Id);
        Assert.Equal(["sh"], resolved.Config.Config!.Cmd!);
        Assert.Equal(["A=1", "B=two words"], resolved.Config.Config.Env!);
        // Image ID = digest of the config blob.
        Assert.Equal(Digest.Parse(id), Digest.FromBytes(svc.Content.ReadAllBytes(Digest.Parse(id))));

        var inspect = svc.Inspect("busybox:latest");
        Assert.Equal(id, inspect.Id);
        Assert.Equal(["busybox:latest"], inspect.RepoTags);
        Assert.Empty(inspect.RepoDigests);
        Assert.Equal("Imported from -", inspect.Comment);
        Assert.Equal("amd64", inspect.Architecture);
        Assert.Equal("linux", inspect.Os);
        Assert.Single(inspect.RootFS.Layers);
        Assert.Equal("y", inspect.Config!.Labels!["x"]);
        Assert.Equal("/w", inspect.Config.WorkingDir);
        Assert.True(inspect.Config.ExposedPorts!.ContainsKey("80/tcp"));
        Assert.Equal(1 + 1, inspect.Size);
        Assert.NotEqual("0001-01-01T00:00:00Z", inspect.Metadata.LastTagTime);

        var list = svc.List();
        var summary = Assert.Single(list);
        Assert.Equal(id, summary.Id);
        Assert.Equal(["busybox:latest"], summary.RepoTags);
        Assert.True(summary.Created > 0);
        Assert.Equal("y", summary.Labels!["x"]);

        // A second service over the same data root sees the same image (restart).
        var again = new ImageService(_root);
        Assert.Equal(id, again.Resolve("docker.io/library/busybox:latest").Id);
    }

    [Fact]
    public void Resolves_every_reference_form()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("b"), "localhost:5000/app/web", "v1", message: "hello");
        var hex = id[7..];
        foreach (var r in new[] { "localhost:5000/app/web:v1", hex, hex[..12], "sha256:" + hex, "sha256:" + hex[..10], id })
            Assert.Equal(id, svc.Resolve(r).Id);
        Assert.Equal("hello", svc.Inspect(id).Comment);

        var e = Assert.Throws<WharfException>(() => svc.Resolve("busybox"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("No such image: busybox:latest", e.Message);
        e = Assert.Throws<WharfException>(() => svc.Resolve("localhost:5000/app/web"));
        Assert.Equal("No such image: localhost:5000/app/web:latest", e.Message);
        e = Assert.Throws<WharfException>(() => svc.Resolve("Busybox"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("invalid reference format: repository name (library/Busybox) must be lowercase", e.Message);
    }

    [Fact]
    public void Tag_and_remove_follow_docker_rmi_semantics()
    {
        var svc = new ImageService(_root);
        var usage = new FakeUsage();
        svc.Usage = usage;
        var id = svc.Import(Rootfs("c"), "busybox", "latest");
        svc.Tag("busybox", "docker.io/library/busybox", "1.0");
        svc.Tag(id[7..19], "other/name");
        Assert.Equal(["busybox:1.0", "busybox:latest", "other/name:latest"], svc.Inspect(id).RepoTags.Order());

        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => svc.Tag("nosuch", "x")).Kind);
        Assert.Equal("No such image: nosuch:latest", Assert.Throws<WharfException>(() => svc.Tag("nosuch", "x")).Message);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => svc.Tag("busybox", "Bad")).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => svc.Tag("busybox", "x@sha256:" + new string('a', 64))).Kind);

        // By ID with several names: 409, must be forced.
        var e = Assert.Throws<WharfException>(() => svc.Remove(id[7..]));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Equal($"conflict: unable to delete {id[7..19]} (must be forced) - image is referenced in multiple repositories", e.Message);

        // By name with other names: only untag.
        var r = svc.Remove("busybox:1.0");
        Assert.Equal("busybox:1.0", Assert.Single(r).Untagged);
        r = svc.Remove("other/name");
        Assert.Equal("other/name:latest", Assert.Single(r).Untagged);

        // Used by a running container: cannot be forced.
        usage.Users.Add((id, new ImageUser(new string('c', 64), Running: true)));
        e = Assert.Throws<WharfException>(() => svc.Remove(id, force: true));
        Assert.Equal($"conflict: unable to delete {id[7..19]} (cannot be forced) - image is being used by running container cccccccccccc", e.Message);
        e = Assert.Throws<WharfException>(() => svc.Remove("busybox"));
        Assert.Equal($"conflict: unable to remove repository reference \"busybox\" (must force) - container cccccccccccc is using its referenced image {id[7..19]}", e.Message);

        // Stopped container: must be forced.
        usage.Users.Clear();
        usage.Users.Add((id, new ImageUser(new string('d', 64), Running: false)));
        e = Assert.Throws<WharfException>(() => svc.Remove(id));
        Assert.Equal($"conflict: unable to delete {id[7..19]} (must be forced) - image is being used by stopped container dddddddddddd", e.Message);

        r = svc.Remove(id, force: true);
        Assert.Equal("busybox:latest", r[0].Untagged);
        Assert.Equal(id, r[1].Deleted);
        Assert.Empty(svc.List());
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => svc.Resolve(id)).Kind);
        // The config blob is gone with the image.
        Assert.False(svc.Content.Exists(Digest.Parse(id)));
    }

    [Fact]
    public void List_filters()
    {
        var svc = new ImageService(_root);
        var a = svc.Import(Rootfs("1"), "app/one", "v1", changes: ["LABEL team=red"]);
        Thread.Sleep(1100);
        var b = svc.Import(Rootfs("2"), "app/two", "v1");
        Thread.Sleep(1100);
        var c = svc.Import(Rootfs("3"));
        static Dictionary<string, IReadOnlyList<string>> Filters(params (string K, string V)[] kv) =>
            kv.GroupBy(x => x.K).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => x.V).ToList());

        Assert.Equal([c, b, a], svc.List().Select(i => i.Id));
        Assert.Equal([c], svc.List(filters: Filters(("dangling", "true"))).Select(i => i.Id));
        Assert.Equal([b, a], svc.List(filters: Filters(("dangling", "false"))).Select(i => i.Id));
        Assert.Equal([a], svc.List(filters: Filters(("label", "team=red"))).Select(i => i.Id));
        Assert.Equal([a], svc.List(filters: Filters(("label", "team"))).Select(i => i.Id));
        Assert.Equal([a], svc.List(filters: Filters(("reference", "app/one"))).Select(i => i.Id));
        Assert.Equal([b, a], svc.List(filters: Filters(("reference", "app/*"))).Select(i => i.Id));
        Assert.Equal([b], svc.List(filters: Filters(("reference", "*/two:v1"))).Select(i => i.Id));
        Assert.Equal([a], svc.List(filters: Filters(("before", "app/two:v1"))).Select(i => i.Id));
        Assert.Equal([c], svc.List(filters: Filters(("since", "app/two:v1"))).Select(i => i.Id));
        Assert.Empty(Assert.Single(svc.List(filters: Filters(("dangling", "true")))).RepoTags);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => svc.List(filters: Filters(("bogus", "1")))).Kind);
    }

    [Fact]
    public void Names_pointing_at_missing_content_are_dropped_at_startup()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("x"), "victim", "latest");
        var keep = svc.Import(Rootfs("y"), "keeper", "latest");
        var layer = svc.Inspect(id).RootFS.Layers[0];
        // Simulate a crash that lost the layer snapshot of one image.
        Directory.Delete(svc.Snapshots.LayerPath(layer), recursive: true);

        var restarted = new ImageService(_root);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => restarted.Resolve("victim")).Kind);
        Assert.Equal(keep, restarted.Resolve("keeper").Id);
        Assert.DoesNotContain("victim", File.ReadAllText(Path.Combine(_root, "image", "repositories.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Prepares_container_snapshots_idempotently()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("m"), "img", null);
        var cid = new string('e', 64);
        var mounts = svc.PrepareContainerRootfs(cid, id);
        var m = Assert.Single(mounts);
        Assert.Equal("overlay", m.Type);
        Assert.StartsWith("lowerdir=" + Path.Combine(_root, "snapshots", "layers"), m.Options[0], StringComparison.Ordinal);
        Assert.Equal(m.Options, Assert.Single(svc.PrepareContainerRootfs(cid, id)).Options);
        Assert.Equal(m.Options, Assert.Single(new ImageService(_root).ContainerRootfsMounts(cid)).Options);
        svc.RemoveContainerRootfs(cid);
        svc.RemoveContainerRootfs(cid);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => svc.ContainerRootfsMounts(cid)).Kind);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<WharfException>(() => svc.PrepareContainerRootfs(cid, "sha256:" + new string('0', 64))).Kind);
    }
}
