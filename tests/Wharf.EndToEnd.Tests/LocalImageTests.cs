using System.Formats.Tar;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>docker save/load (round trip, skopeo's OCI layout, a tampered archive), docker image prune (dangling,
/// -a, filters), docker system df, and `wharf base-image debian`, all through the real CLIs.</summary>
[Collection(LocalImagesCollection.Name)]
public sealed class LocalImageTests(DaemonFixture wharf)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    private string Temp(string name) => Path.Combine(wharf.TempDir, wharf.UniqueName(name));

    /// <summary>A small image of its own (busybox + one file + a label) made with docker commit.</summary>
    private async Task<string> MakeImage(string tag, string content, string? label = null)
    {
        var c = wharf.UniqueName("mk");
        try
        {
            (await wharf.Docker("run", "--name", c, "busybox", "sh", "-c", $"echo {content} > /hello")).EnsureSuccess();
            var args = new List<string> { "commit" };
            if (label is not null) args.AddRange(["--change", "LABEL " + label]);
            args.Add(c);
            if (tag.Length > 0) args.Add(tag);
            return (await wharf.Docker([.. args])).EnsureSuccess().Stdout.Trim();
        }
        finally
        {
            await wharf.Docker("rm", "-f", c);
        }
    }

    private async Task<string> ImageId(string reference) =>
        (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", reference)).EnsureSuccess().Stdout.Trim();

    private int BlobCount() => Directory.EnumerateFiles(Path.Combine(wharf.Daemon.DataRoot, "content", "blobs", "sha256")).Count();

    [Fact]
    public async Task Save_rmi_load_round_trip_keeps_id_tags_history_and_runs()
    {
        var tag = "roundtrip:" + wharf.Suffix;
        var id = await MakeImage(tag, "round-trip");
        (await wharf.Docker("tag", tag, "roundtrip:second")).EnsureSuccess();
        var history = (await wharf.Docker("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", tag)).EnsureSuccess().Stdout;
        var file = Temp("rt") + ".tar";

        (await wharf.Docker("save", "-o", file, tag, "roundtrip:second")).EnsureSuccess();
        using (var reader = new TarReader(File.OpenRead(file)))
        {
            var names = new List<string>();
            while (reader.GetNextEntry() is { } e) names.Add(e.Name);
            Assert.Contains("index.json", names);
            Assert.Contains("oci-layout", names);
            Assert.Contains("manifest.json", names);
            Assert.Contains("repositories", names);
            Assert.Contains("blobs/sha256/" + id[7..], names);
        }
        (await wharf.Docker("rmi", tag, "roundtrip:second")).EnsureSuccess();
        Assert.NotEqual(0, (await wharf.Docker("image", "inspect", tag)).ExitCode);

        var load = (await wharf.DockerWith(["load", "-i", file], timeout: Long)).EnsureSuccess();
        Assert.Contains("Loaded image: " + tag, load.Stdout, StringComparison.Ordinal);
        Assert.Contains("Loaded image: roundtrip:second", load.Stdout, StringComparison.Ordinal);
        Assert.Equal(id, await ImageId(tag));
        Assert.Equal(id, await ImageId("roundtrip:second"));
        Assert.Equal(history, (await wharf.Docker("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", tag)).EnsureSuccess().Stdout);
        Assert.Equal("round-trip", (await wharf.Docker("run", "--rm", tag, "cat", "/hello")).EnsureSuccess().Stdout.Trim());

        // Quiet load from stdin prints the same lines.
        (await wharf.Docker("rmi", tag, "roundtrip:second")).EnsureSuccess();
        var quiet = await ProcessRunner.RunAsync("sh", ["-c", $"{TestPaths.DockerCli} load -q < {file}"], wharf.ClientEnvironment, timeout: Long);
        Assert.Contains("Loaded image: " + tag, quiet.EnsureSuccess().Stdout, StringComparison.Ordinal);
        (await wharf.Docker("rmi", tag, "roundtrip:second")).EnsureSuccess();
    }

    [Fact]
    public async Task Loads_an_OCI_layout_made_by_skopeo()
    {
        Assert.True(File.Exists("/usr/bin/skopeo"), "skopeo is missing: apt-get install skopeo");
        var tag = "skopeo:" + wharf.Suffix;
        await MakeImage(tag, "from-skopeo");
        var archive = Temp("sk") + ".tar";
        var layout = Temp("oci");
        var ociTar = Temp("oci") + ".tar";
        (await wharf.Docker("save", "-o", archive, tag)).EnsureSuccess();
        (await ProcessRunner.RunAsync("skopeo", ["copy", "docker-archive:" + archive, "oci:" + layout + ":v1"], timeout: Long)).EnsureSuccess();
        Assert.False(File.Exists(Path.Combine(layout, "manifest.json"))); // a pure OCI layout
        (await ProcessRunner.RunAsync("tar", ["-C", layout, "-cf", ociTar, "."])).EnsureSuccess();
        (await wharf.Docker("rmi", tag)).EnsureSuccess();

        var load = (await wharf.DockerWith(["load", "-i", ociTar], timeout: Long)).EnsureSuccess();
        // skopeo names the manifest only "v1" (no repository), so Docker reports the ID; skopeo rewrote the config
        // as an OCI config, so the ID is a new one.
        var line = Assert.Single(load.StdoutLines);
        Assert.StartsWith("Loaded image ID: sha256:", line, StringComparison.Ordinal);
        var id = line["Loaded image ID: ".Length..];
        Assert.Equal("from-skopeo", (await wharf.Docker("run", "--rm", id, "cat", "/hello")).EnsureSuccess().Stdout.Trim());
        (await wharf.Docker("rmi", id)).EnsureSuccess();
    }

    [Fact]
    public async Task Tampered_archive_is_rejected_and_leaves_nothing()
    {
        var tag = "tamper:" + wharf.Suffix;
        await MakeImage(tag, "original");
        var file = Temp("good") + ".tar";
        var bad = Temp("bad") + ".tar";
        (await wharf.Docker("save", "-o", file, tag)).EnsureSuccess();
        (await wharf.Docker("rmi", tag)).EnsureSuccess();
        var blobsBefore = BlobCount();

        // Same names, one byte of the biggest blob (a layer) flipped.
        string? tampered = null;
        using (var reader = new TarReader(File.OpenRead(file)))
        {
            var entries = new List<(TarEntry Entry, byte[]? Data)>();
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                byte[]? data = null;
                if (e.DataStream is not null)
                {
                    var ms = new MemoryStream();
                    e.DataStream.CopyTo(ms);
                    data = ms.ToArray();
                }
                entries.Add((e, data));
            }
            var victim = entries.Where(x => x.Entry.Name.StartsWith("blobs/", StringComparison.Ordinal) && x.Data is not null).MaxBy(x => x.Data!.Length);
            tampered = victim.Entry.Name;
            victim.Data![victim.Data.Length / 2] ^= 0xff;
            await using var output = File.Create(bad);
            using var writer = new TarWriter(output, TarEntryFormat.Pax);
            foreach (var (entry, data) in entries)
            {
                var copy = new PaxTarEntry(entry.EntryType, entry.Name) { Mode = entry.Mode, ModificationTime = entry.ModificationTime };
                if (data is not null) copy.DataStream = new MemoryStream(data);
                writer.WriteEntry(copy);
            }
        }

        var load = await wharf.DockerWith(["load", "-i", bad], timeout: Long);
        Assert.NotEqual(0, load.ExitCode);
        Assert.Contains(tampered!, load.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await wharf.Docker("image", "inspect", tag)).ExitCode);
        Assert.Equal(blobsBefore, BlobCount());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(wharf.Daemon.DataRoot, "content", "ingest")));
    }

    [Fact]
    public async Task Load_of_something_that_is_not_an_image_archive_says_so()
    {
        var junk = Temp("junk") + ".tar";
        await File.WriteAllBytesAsync(junk, System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 << 20));
        var garbage = await wharf.DockerWith(["load", "-i", junk], timeout: Long);
        Assert.NotEqual(0, garbage.ExitCode);
        Assert.Contains("invalid archive", garbage.Stderr, StringComparison.Ordinal);

        var empty = Temp("empty") + ".tar";
        (await ProcessRunner.RunAsync("tar", ["-cf", empty, "--files-from", "/dev/null"])).EnsureSuccess();
        var none = await wharf.DockerWith(["load", "-i", empty], timeout: Long);
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("neither manifest.json nor index.json", none.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(wharf.Daemon.DataRoot, "content", "ingest")));
        // The daemon still answers on the same socket afterwards.
        (await wharf.Docker("version")).EnsureSuccess();
    }

    [Fact]
    public async Task Image_prune_dangling_all_and_filters()
    {
        var keeper = wharf.UniqueName("keeper");
        // A container on busybox keeps it (and anything it uses) from prune -a.
        (await wharf.Docker("create", "--name", keeper, "busybox", "true")).EnsureSuccess();
        try
        {
            var dangling = await MakeImage("", "dangling");
            var labelled = await MakeImage("prune-labelled:" + wharf.Suffix, "l", label: "prune=me");
            var plain = await MakeImage("prune-plain:" + wharf.Suffix, "p");

            var first = (await wharf.Docker("image", "prune", "-f")).EnsureSuccess();
            Assert.Contains(dangling, first.Stdout, StringComparison.Ordinal);
            Assert.DoesNotMatch("Total reclaimed space: 0B", first.Stdout);
            Assert.NotEqual(0, (await wharf.Docker("image", "inspect", dangling)).ExitCode);
            Assert.Equal(labelled, await ImageId("prune-labelled:" + wharf.Suffix));

            var byLabel = (await wharf.Docker("image", "prune", "-a", "-f", "--filter", "label=prune=me")).EnsureSuccess();
            Assert.Contains("prune-labelled:" + wharf.Suffix, byLabel.Stdout, StringComparison.Ordinal);
            Assert.Equal(plain, await ImageId("prune-plain:" + wharf.Suffix));

            var old = (await wharf.Docker("image", "prune", "-a", "-f", "--filter", "until=2001-01-01T00:00:00Z")).EnsureSuccess();
            Assert.Contains("Total reclaimed space: 0B", old.Stdout, StringComparison.Ordinal);

            (await wharf.Docker("image", "prune", "-a", "-f")).EnsureSuccess();
            Assert.NotEqual(0, (await wharf.Docker("image", "inspect", plain)).ExitCode);
            Assert.Equal(0, (await wharf.Docker("image", "inspect", "busybox")).ExitCode);
        }
        finally
        {
            await wharf.Docker("rm", "-f", keeper);
        }
    }

    private async Task<JsonElement> SystemDf()
    {
        using var http = wharf.Http();
        var json = await http.GetStringAsync("http://localhost/system/df");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [Fact]
    public async Task System_df_numbers_move_with_containers_volumes_and_images()
    {
        var c = wharf.UniqueName("df");
        var v = wharf.UniqueName("dfvol");
        try
        {
            var before = await SystemDf();
            (await wharf.Docker("run", "--name", c, "-v", v + ":/data", "busybox", "sh", "-c",
                "head -c 1048576 /dev/zero > /big && head -c 2097152 /dev/zero > /data/f && ln /big /big2")).EnsureSuccess();
            var after = await SystemDf();

            var container = after.GetProperty("Containers").EnumerateArray().Single(x => x.GetProperty("Names")[0].GetString() == "/" + c);
            // 1 MiB written twice by hard link: counted once.
            Assert.InRange(container.GetProperty("SizeRw").GetInt64(), 1048576, 1048576 + 65536);
            var volume = after.GetProperty("Volumes").EnumerateArray().Single(x => x.GetProperty("Name").GetString() == v);
            Assert.Equal(2097152, volume.GetProperty("UsageData").GetProperty("Size").GetInt64());
            Assert.Equal(1, volume.GetProperty("UsageData").GetProperty("RefCount").GetInt64());
            var busybox = after.GetProperty("Images").EnumerateArray().Single(x => x.GetProperty("RepoTags").EnumerateArray().Any(t => t.GetString() == "busybox:latest"));
            Assert.True(busybox.GetProperty("Containers").GetInt64() >= 1);
            Assert.True(after.GetProperty("LayersSize").GetInt64() >= before.GetProperty("LayersSize").GetInt64());

            // The CLI renders it, -v included.
            var table = (await wharf.Docker("system", "df")).EnsureSuccess();
            Assert.Contains("Local Volumes", table.Stdout, StringComparison.Ordinal);
            var verbose = (await wharf.Docker("system", "df", "-v")).EnsureSuccess();
            Assert.Contains(v, verbose.Stdout, StringComparison.Ordinal);
            Assert.Contains("2.097MB", verbose.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", c);
            await wharf.Docker("volume", "rm", "-f", v);
        }
        var gone = await SystemDf();
        Assert.DoesNotContain(gone.GetProperty("Volumes").EnumerateArray(), x => x.GetProperty("Name").GetString() == v);
    }

    [Fact]
    public async Task Debian_base_image_runs_and_is_reproducible()
    {
        Assert.True(File.Exists("/usr/bin/mmdebstrap"), "mmdebstrap is missing: apt-get install mmdebstrap");
        var cache = Path.Combine(wharf.TempDir, "base-image-cache");
        var first = await ProcessRunner.RunAsync(TestPaths.WharfCli, ["base-image", "debian", "--cache-dir", cache], wharf.ClientEnvironment, timeout: Long);
        Assert.Contains("Loaded image: debian:bookworm", first.EnsureSuccess().Stdout, StringComparison.Ordinal);
        var id = await ImageId("debian:bookworm");
        Assert.StartsWith("12.", (await wharf.Docker("run", "--rm", "debian:bookworm", "cat", "/etc/debian_version")).EnsureSuccess().Stdout.Trim(), StringComparison.Ordinal);
        // FROM debian:bookworm works for builds too (the tag is the normalized docker.io/library name).
        Assert.Equal(id, await ImageId("docker.io/library/debian:bookworm"));

        (await wharf.Docker("rmi", "debian:bookworm")).EnsureSuccess();
        var second = await ProcessRunner.RunAsync(TestPaths.WharfCli, ["base-image", "debian", "--cache-dir", cache], wharf.ClientEnvironment, timeout: Long);
        Assert.Contains("using cached rootfs", second.EnsureSuccess().Stderr, StringComparison.Ordinal);
        Assert.Equal(id, await ImageId("debian:bookworm"));
        Assert.Empty(Directory.EnumerateFiles(cache, "*.tmp-*"));
        (await wharf.Docker("rmi", "debian:bookworm")).EnsureSuccess();
    }

    [Fact]
    public async Task Busybox_base_image_has_the_same_id_on_every_run()
    {
        var tag = wharf.UniqueName("bbrepro") + ":1";
        try
        {
            var first = await wharf.Wharf("base-image", "busybox", "--tag", tag);
            Assert.Contains("Loaded image: " + tag, first.EnsureSuccess().Stdout, StringComparison.Ordinal);
            var id = await ImageId(tag);
            (await wharf.Docker("rmi", tag)).EnsureSuccess();
            (await wharf.Wharf("base-image", "busybox", "--tag", tag)).EnsureSuccess();
            Assert.Equal(id, await ImageId(tag));
            // The fixture made busybox:latest from the same binary the same way.
            Assert.Equal(id, await ImageId("busybox:latest"));
            Assert.Equal("sh", (await wharf.Docker("inspect", "--format", "{{join .Config.Cmd \" \"}}", tag)).EnsureSuccess().Stdout.Trim());
        }
        finally
        {
            await wharf.Docker("rmi", tag);
        }
    }
}
