using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Wharf.Api.Events;
using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Oci;

namespace Wharf.Unit.Tests.Images;

/// <summary>docker save / load through <see cref="ImageService"/>: layouts, verification, rollback, and the events.</summary>
public sealed class ImageArchiveTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wharf-archive-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static MemoryStream Rootfs(string marker) =>
        new(new TarBuilder().Dir("bin/").File("bin/marker", marker).File("etc/hostname", "x").BuildGzip());

    private static byte[] Save(ImageService svc, params string[] names)
    {
        using var writer = svc.PrepareSave(names);
        var ms = new MemoryStream();
        writer.WriteAsync(ms).GetAwaiter().GetResult();
        return ms.ToArray();
    }

    private static Dictionary<string, byte[]> Entries(byte[] tar)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } e)
        {
            if (e.EntryType is not TarEntryType.RegularFile) continue;
            var ms = new MemoryStream();
            e.DataStream?.CopyTo(ms);
            result[e.Name] = ms.ToArray();
        }
        return result;
    }

    private static byte[] Archive(IEnumerable<(string Name, byte[] Data)> files)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, data) in files)
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        return ms.ToArray();
    }

    private static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A legacy docker-archive (Docker &lt; 25): &lt;id&gt;.json config, &lt;dir&gt;/layer.tar, manifest.json.</summary>
    private static byte[] LegacyArchive(byte[] layer, string tag, string? diffIdOverride = null, string? configName = null)
    {
        var diffId = "sha256:" + Hex(layer);
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"sh\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{diffIdOverride ?? diffId}\"]}},\"history\":[{{\"created_by\":\"test\"}}]}}");
        var configFile = configName ?? Hex(config) + ".json";
        var manifest = Encoding.UTF8.GetBytes($"[{{\"Config\":\"{configFile}\",\"RepoTags\":[\"{tag}\"],\"Layers\":[\"abc/layer.tar\"]}}]");
        return Archive([("abc/layer.tar", layer), ("abc/VERSION", "1.0"u8.ToArray()), (configFile, config), ("manifest.json", manifest)]);
    }

    /// <summary>Nothing from a failed load may remain: no new blobs, no layers, no temp files, no images.</summary>
    private void AssertNothingLeft(ImageService svc, int blobsBefore, int layersBefore)
    {
        Assert.Equal(blobsBefore, svc.Content.Walk().Count());
        Assert.Equal(layersBefore, svc.Snapshots.Layers().Count());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "content", "ingest")));
        var tmp = Path.Combine(_root, "snapshots", "tmp");
        if (Directory.Exists(tmp)) Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
    }

    [Fact]
    public void Save_writes_the_Docker_25_layout_with_layers_as_stored()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("a"), "busybox", "latest");
        svc.Tag(id, "other", "v1");
        var entries = Entries(Save(svc, "busybox"));

        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", Encoding.UTF8.GetString(entries["oci-layout"]));
        var manifest = JsonDocument.Parse(entries["manifest.json"]).RootElement[0];
        Assert.Equal("blobs/sha256/" + id[7..], manifest.GetProperty("Config").GetString());
        // A repository name saves every tag of that repository, and only those.
        Assert.Equal(["busybox:latest"], manifest.GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()!).ToList());
        var layerPath = manifest.GetProperty("Layers")[0].GetString()!;
        var layerBytes = entries[layerPath];
        Assert.Equal(0x1f, layerBytes[0]); // still gzip: not recompressed, not decompressed
        Assert.Equal(layerPath["blobs/sha256/".Length..], Hex(layerBytes));
        foreach (var (name, data) in entries.Where(e => e.Key.StartsWith("blobs/sha256/", StringComparison.Ordinal)))
            Assert.Equal(name["blobs/sha256/".Length..], Hex(data));

        var index = JsonDocument.Parse(entries["index.json"]).RootElement.GetProperty("manifests")[0];
        Assert.Equal("docker.io/library/busybox:latest", index.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString());
        Assert.True(entries.ContainsKey("blobs/sha256/" + index.GetProperty("digest").GetString()![7..]));
        Assert.Equal(id[7..], JsonDocument.Parse(entries["repositories"]).RootElement.GetProperty("busybox").GetProperty("latest").GetString());

        // By id: no names.
        var byId = Entries(Save(svc, id[7..19]));
        Assert.Empty(JsonDocument.Parse(byId["manifest.json"]).RootElement[0].GetProperty("RepoTags").EnumerateArray());
        Assert.False(byId.ContainsKey("repositories"));
    }

    [Fact]
    public void Save_then_load_restores_the_same_image_names_and_manifest()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("a"), "busybox", "latest");
        var id2 = svc.Import(Rootfs("b"), "second", "v2");
        var manifestBefore = svc.Store.Get(id)!.ManifestDigest;
        var tar = Save(svc, "busybox:latest", "second:v2");
        svc.Remove("busybox");
        svc.Remove("second:v2");
        Assert.Empty(svc.List());

        var lines = svc.Load(new MemoryStream(tar));
        Assert.Equal(["Loaded image: busybox:latest", "Loaded image: second:v2"], lines);
        Assert.Equal(id, svc.Resolve("busybox").Id);
        Assert.Equal(id2, svc.Resolve("second:v2").Id);
        Assert.Equal(manifestBefore, svc.Store.Get(id)!.ManifestDigest);
        Assert.True(File.Exists(Path.Combine(svc.Snapshots.LayerPath(svc.Store.ChainIds(id)[0]), "bin", "marker")));

        // Loading again is idempotent.
        Assert.Equal(["Loaded image: busybox:latest", "Loaded image: second:v2"], svc.Load(new MemoryStream(tar)));
        Assert.Equal(2, svc.List().Count);
    }

    [Fact]
    public void Loads_a_legacy_archive_with_a_large_layer_unpacked_while_stored()
    {
        var svc = new ImageService(_root);
        var big = RandomNumberGenerator.GetBytes(3 << 20); // past the in-memory limit: the one-pass path
        var layer = new TarBuilder().Dir("data/").File("data/small", "s").Build();
        using (var ms = new MemoryStream())
        {
            using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            {
                using var r = new TarReader(new MemoryStream(layer));
                while (r.GetNextEntry(copyData: true) is { } e) w.WriteEntry(e);
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/big") { DataStream = new MemoryStream(big) });
            }
            layer = ms.ToArray();
        }
        var lines = svc.Load(new MemoryStream(LegacyArchive(layer, "legacy:1")));
        Assert.Equal(["Loaded image: legacy:1"], lines);
        var id = svc.Resolve("legacy:1").Id;
        var meta = svc.Store.Get(id)!;
        Assert.Equal("sha256:" + Hex(layer), meta.LayerBlobs[0]); // stored as it came: uncompressed
        Assert.True(svc.Content.Exists(Digest.Parse(meta.LayerBlobs[0])));
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(svc.Snapshots.LayerPath(svc.Store.ChainIds(id)[0]), "data", "big")));
        Assert.Equal(big.Length + 1, svc.Inspect("legacy:1").Size);
    }

    [Fact]
    public void Loads_an_OCI_layout_without_manifest_json()
    {
        var svc = new ImageService(_root);
        var id = svc.Import(Rootfs("oci"), "ociname", "t1");
        var entries = Entries(Save(svc, "ociname:t1"));
        svc.Remove("ociname:t1");
        var tar = Archive(entries.Where(e => e.Key is not ("manifest.json" or "repositories")).Select(e => (e.Key, e.Value)));
        Assert.Equal(["Loaded image: ociname:t1"], svc.Load(new MemoryStream(tar)));
        Assert.Equal(id, svc.Resolve("ociname:t1").Id);
    }

    [Fact]
    public void Tampered_layer_blob_is_rejected_naming_it_and_leaves_nothing()
    {
        var svc = new ImageService(_root);
        svc.Import(Rootfs("t"), "victim", "1");
        var entries = Entries(Save(svc, "victim:1"));
        svc.Remove("victim:1");
        int blobs = svc.Content.Walk().Count(), layers = svc.Snapshots.Layers().Count();

        var layerPath = JsonDocument.Parse(entries["manifest.json"]).RootElement[0].GetProperty("Layers")[0].GetString()!;
        var evil = new TarBuilder().Dir("bin/").File("bin/marker", "EVIL").File("etc/hostname", "x").BuildGzip();
        entries[layerPath] = evil; // same name, other content
        var e = Assert.Throws<WharfException>(() => svc.Load(new MemoryStream(Archive(entries.Select(kv => (kv.Key, kv.Value))))));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(layerPath, e.Message, StringComparison.Ordinal);
        Assert.Empty(svc.List());
        AssertNothingLeft(svc, blobs, layers);
    }

    [Fact]
    public void DiffId_mismatch_with_the_config_is_rejected_and_leaves_nothing()
    {
        var svc = new ImageService(_root);
        int blobs = svc.Content.Walk().Count(), layers = svc.Snapshots.Layers().Count();
        var layer = new TarBuilder().File("f", "x").Build();
        var e = Assert.Throws<WharfException>(() => svc.Load(new MemoryStream(LegacyArchive(layer, "x:1", diffIdOverride: "sha256:" + new string('a', 64)))));
        Assert.Contains("don't match image configuration", e.Message, StringComparison.Ordinal);
        Assert.Contains("abc/layer.tar", e.Message, StringComparison.Ordinal);
        AssertNothingLeft(svc, blobs, layers);
    }

    [Fact]
    public void Config_whose_name_is_not_its_digest_is_rejected()
    {
        var svc = new ImageService(_root);
        var e = Assert.Throws<WharfException>(() => svc.Load(new MemoryStream(LegacyArchive(new TarBuilder().File("f", "x").Build(), "x:1", configName: new string('b', 64) + ".json"))));
        Assert.Contains(new string('b', 64) + ".json", e.Message, StringComparison.Ordinal);
        Assert.Empty(svc.List());
    }

    [Theory]
    [InlineData("[{\"Config\":\"../../etc/passwd\",\"RepoTags\":[],\"Layers\":[]}]", "outside the archive")]
    [InlineData("[{\"Config\":\"missing.json\",\"RepoTags\":[],\"Layers\":[]}]", "missing.json")]
    [InlineData("not json", "manifest.json")]
    public void Broken_manifest_json_names_what_is_wrong(string manifest, string expected)
    {
        var svc = new ImageService(_root);
        var e = Assert.Throws<WharfException>(() => svc.Load(new MemoryStream(Archive([("manifest.json", Encoding.UTF8.GetBytes(manifest))]))));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_with_a_hostile_entry_is_rejected_and_leaves_nothing()
    {
        var svc = new ImageService(_root);
        int blobs = svc.Content.Walk().Count(), layers = svc.Snapshots.Layers().Count();
        var layer = new TarBuilder().Symlink("escape", "/").File("escape/etc/pwned", "x").Build();
        var e = Assert.Throws<WharfException>(() => svc.Load(new MemoryStream(LegacyArchive(layer, "x:1"))));
        Assert.Contains("abc/layer.tar", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("/etc/pwned"));
        AssertNothingLeft(svc, blobs, layers);
    }

    [Fact]
    public void Neither_manifest_nor_index_is_a_clear_error() =>
        Assert.Contains("neither manifest.json nor index.json",
            Assert.Throws<WharfException>(() => new ImageService(_root).Load(new MemoryStream(Archive([("x", [1])])))).Message, StringComparison.Ordinal);

    [Fact]
    public void Image_events_for_import_tag_save_load_untag_delete()
    {
        var svc = new ImageService(_root);
        var events = new List<EventMessage>();
        svc.Event += events.Add;
        var id = svc.Import(Rootfs("e"), "ev", "1");
        var tar = Save(svc, "ev:1");
        svc.Remove("ev:1");
        svc.Load(new MemoryStream(tar));
        Assert.Equal(["import", "tag", "save", "untag", "delete", "tag", "load"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal("image", e.Type));
        Assert.All(events, e => Assert.Equal(id, e.Actor.ID));
        Assert.Equal("ev:1", events[1].Actor.Attributes["name"]);
    }

    [Fact]
    public void Legacy_archive_with_a_layer_shared_through_a_symlink_loads_both_images()
    {
        var svc = new ImageService(_root);
        var layer = new TarBuilder().File("shared", "s").Build();
        var diffId = "sha256:" + Hex(layer);
        byte[] Config(string cmd) => Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"{cmd}\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{diffId}\"]}}}}");
        var c1 = Config("one");
        var c2 = Config("two");
        var manifest = Encoding.UTF8.GetBytes(
            $"[{{\"Config\":\"{Hex(c1)}.json\",\"RepoTags\":[\"one:1\"],\"Layers\":[\"aaa/layer.tar\"]}},{{\"Config\":\"{Hex(c2)}.json\",\"RepoTags\":[\"two:1\"],\"Layers\":[\"bbb/layer.tar\"]}}]");
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "aaa/layer.tar") { DataStream = new MemoryStream(layer) });
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bbb/layer.tar") { LinkName = "../aaa/layer.tar" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, Hex(c1) + ".json") { DataStream = new MemoryStream(c1) });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, Hex(c2) + ".json") { DataStream = new MemoryStream(c2) });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(manifest) });
        }
        Assert.Equal(["Loaded image: one:1", "Loaded image: two:1"], svc.Load(new MemoryStream(ms.ToArray())));
        Assert.Equal(["one"], svc.Resolve("one:1").Config.Config!.Cmd!);
        Assert.Equal(["two"], svc.Resolve("two:1").Config.Config!.Cmd!);
        Assert.Single(svc.Snapshots.Layers());
    }

    [Theory]
    [InlineData("sha256:../../../etc/passwd")]
    [InlineData("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    public void Index_digests_that_are_not_sha256_hex_are_refused_before_any_path_is_built(string digest)
    {
        var svc = new ImageService(_root);
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{digest}\",\"size\":2}}]}}");
        var e = Assert.Throws<WharfException>(() => svc.Load(new MemoryStream(Archive([("index.json", index), ("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray())]))));
        Assert.Contains("invalid digest", e.Message, StringComparison.Ordinal);
        Assert.Empty(svc.List());
    }
}
