using System.Formats.Tar;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>Volumes and mounts through the real docker CLI: volume create/ls/inspect/rm/prune, named volume data
/// outliving containers, anonymous volumes and their removal, binds, tmpfs, --volumes-from, copy-up.</summary>
[Collection(VolumesCollection.Name)]
public sealed class VolumeTests(DaemonFixture wharf)
{
    private const string AnonymousLabel = "com.docker.volume.anonymous";

    /// <summary>Runs <paramref name="body"/>, then removes the containers and volumes it names, even on failure.</summary>
    private async Task WithCleanup(string[] containers, string[] volumes, Func<Task> body)
    {
        try { await body(); }
        finally
        {
            foreach (var c in containers) await wharf.Docker("rm", "-f", "-v", c);
            foreach (var v in volumes) await wharf.Docker("volume", "rm", "-f", v);
        }
    }

    private async Task<string[]> AnonymousVolumes() =>
        (await wharf.Docker("volume", "ls", "-q", "--filter", "label=" + AnonymousLabel)).EnsureSuccess().StdoutLines;

    [Fact]
    public async Task Volume_create_ls_inspect_and_rm()
    {
        var name = wharf.UniqueName("vol");
        await WithCleanup([], [name], async () =>
        {
            Assert.Equal(name, (await wharf.Docker("volume", "create", "--label", "team=blue", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", name)).EnsureSuccess().Stdout.Trim());

            var ls = (await wharf.Docker("volume", "ls", "--filter", "label=team=blue", "--format", "{{.Driver}} {{.Name}}")).EnsureSuccess();
            Assert.Equal([$"local {name}"], ls.StdoutLines);
            Assert.Empty((await wharf.Docker("volume", "ls", "-q", "--filter", "label=team=red")).EnsureSuccess().StdoutLines);

            var json = (await wharf.Docker("volume", "inspect", name)).EnsureSuccess().Stdout;
            using var doc = JsonDocument.Parse(json);
            var v = doc.RootElement[0];
            Assert.Equal(name, v.GetProperty("Name").GetString());
            Assert.Equal("local", v.GetProperty("Scope").GetString());
            Assert.EndsWith($"/volumes/{name}/_data", v.GetProperty("Mountpoint").GetString(), StringComparison.Ordinal);
            Assert.Equal("blue", v.GetProperty("Labels").GetProperty("team").GetString());
            Assert.Equal("tmpfs", v.GetProperty("Options").GetProperty("type").GetString());
            Assert.True(DateTimeOffset.TryParse(v.GetProperty("CreatedAt").GetString(), out _));

            // A tmpfs volume is a tmpfs inside the container.
            var run = (await wharf.Docker("run", "--rm", "-v", name + ":/t", "busybox", "sh", "-c", "grep ' /t ' /proc/mounts")).EnsureSuccess();
            Assert.Contains("tmpfs /t tmpfs", run.Stdout, StringComparison.Ordinal);

            (await wharf.Docker("volume", "rm", name)).EnsureSuccess();
            var gone = await wharf.Docker("volume", "inspect", name);
            Assert.NotEqual(0, gone.ExitCode);
            Assert.Contains($"get {name}: no such volume", gone.Stderr, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Named_volume_data_survives_container_recreation_and_shows_in_inspect()
    {
        var vol = wharf.UniqueName("keep");
        var first = wharf.UniqueName("writer");
        await WithCleanup([first], [vol], async () =>
        {
            (await wharf.Docker("run", "--name", first, "-v", vol + ":/data", "busybox", "sh", "-c", "echo persisted > /data/f")).EnsureSuccess();
            var mounts = (await wharf.Docker("inspect", "-f", "{{json .Mounts}}", first)).EnsureSuccess().Stdout;
            using (var doc = JsonDocument.Parse(mounts))
            {
                var m = Assert.Single(doc.RootElement.EnumerateArray());
                Assert.Equal("volume", m.GetProperty("Type").GetString());
                Assert.Equal(vol, m.GetProperty("Name").GetString());
                Assert.Equal("/data", m.GetProperty("Destination").GetString());
                Assert.Equal("local", m.GetProperty("Driver").GetString());
                Assert.Equal("z", m.GetProperty("Mode").GetString());
                Assert.True(m.GetProperty("RW").GetBoolean());
                Assert.EndsWith($"/volumes/{vol}/_data", m.GetProperty("Source").GetString(), StringComparison.Ordinal);
            }
            (await wharf.Docker("rm", "-v", first)).EnsureSuccess();

            // rm -v leaves named volumes alone.
            var read = (await wharf.Docker("run", "--rm", "-v", vol + ":/data:ro", "busybox", "cat", "/data/f")).EnsureSuccess();
            Assert.Equal("persisted\n", read.Stdout);
        });
    }

    [Fact]
    public async Task Anonymous_volumes_go_with_rm_v_and_with_run_rm()
    {
        var name = wharf.UniqueName("anon");
        await WithCleanup([name], [], async () =>
        {
            var before = await AnonymousVolumes();
            (await wharf.Docker("run", "--name", name, "-v", "/scratch", "busybox", "sh", "-c", "echo x > /scratch/f")).EnsureSuccess();
            var volume = (await wharf.Docker("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", name)).EnsureSuccess().Stdout.Trim();
            Assert.Matches("^[0-9a-f]{64}$", volume);
            Assert.Contains(volume, await AnonymousVolumes());

            (await wharf.Docker("rm", "-v", name)).EnsureSuccess();
            Assert.DoesNotContain(volume, await AnonymousVolumes());

            (await wharf.Docker("run", "--rm", "-v", "/scratch", "busybox", "true")).EnsureSuccess();
            Assert.Equal(before.Order(), (await AnonymousVolumes()).Order());
        });
    }

    [Fact]
    public async Task Bind_mounts_are_writable_unless_read_only()
    {
        var dir = Path.Combine(wharf.TempDir, wharf.UniqueName("bind"));
        Directory.CreateDirectory(dir);
        try
        {
            (await wharf.Docker("run", "--rm", "-v", dir + ":/mnt", "busybox", "sh", "-c", "echo from-container > /mnt/out")).EnsureSuccess();
            Assert.Equal("from-container\n", File.ReadAllText(Path.Combine(dir, "out")));

            var ro = await wharf.Docker("run", "--rm", "-v", dir + ":/mnt:ro", "busybox", "sh", "-c", "echo nope > /mnt/out");
            Assert.NotEqual(0, ro.ExitCode);
            Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);
            Assert.Equal("from-container\n", File.ReadAllText(Path.Combine(dir, "out")));

            var mount = (await wharf.Docker("run", "--rm", "--mount", $"type=bind,source={dir},target=/m,readonly", "busybox", "cat", "/m/out")).EnsureSuccess();
            Assert.Equal("from-container\n", mount.Stdout);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Mount_errors_use_dockers_words()
    {
        var missing = Path.Combine(wharf.TempDir, "does-not-exist");
        var bind = await wharf.Docker("run", "--rm", "--mount", $"type=bind,source={missing},target=/x", "busybox", "true");
        Assert.Equal(125, bind.ExitCode);
        Assert.Contains($"invalid mount config for type \"bind\": bind source path does not exist: {missing}", bind.Stderr, StringComparison.Ordinal);

        var relative = await wharf.Docker("run", "--rm", "-v", "some/dir:/x", "busybox", "true");
        Assert.Equal(125, relative.ExitCode);
        Assert.Contains("\"some/dir\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", relative.Stderr, StringComparison.Ordinal);

        var duplicate = await wharf.Docker("run", "--rm", "-v", "/tmp:/x", "--mount", "type=tmpfs,target=/x", "busybox", "true");
        Assert.Equal(125, duplicate.ExitCode);
        Assert.Contains("Duplicate mount point: /x", duplicate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mount_type_tmpfs_gives_a_sized_tmpfs()
    {
        var run = (await wharf.Docker("run", "--rm", "--mount", "type=tmpfs,destination=/scratch,tmpfs-size=1m,tmpfs-mode=1770", "busybox",
            "sh", "-c", "grep ' /scratch ' /proc/mounts; stat -c %a /scratch")).EnsureSuccess();
        Assert.Contains("tmpfs /scratch tmpfs", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("size=1024k", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("1770\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Volumes_from_shares_mounts_read_only_when_asked()
    {
        var vol = wharf.UniqueName("shared");
        var source = wharf.UniqueName("src");
        await WithCleanup([source], [vol], async () =>
        {
            (await wharf.Docker("run", "--name", source, "-v", vol + ":/shared", "busybox", "sh", "-c", "echo shared-data > /shared/f")).EnsureSuccess();

            var rw = (await wharf.Docker("run", "--rm", "--volumes-from", source, "busybox", "sh", "-c", "cat /shared/f && touch /shared/g")).EnsureSuccess();
            Assert.Equal("shared-data\n", rw.Stdout);

            var ro = await wharf.Docker("run", "--rm", "--volumes-from", source + ":ro", "busybox", "sh", "-c", "cat /shared/f && touch /shared/h");
            Assert.NotEqual(0, ro.ExitCode);
            Assert.Equal("shared-data\n", ro.Stdout);
            Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Removing_a_volume_in_use_is_refused()
    {
        var vol = wharf.UniqueName("busy");
        var holder = wharf.UniqueName("holder");
        await WithCleanup([holder], [vol], async () =>
        {
            var id = (await wharf.Docker("create", "--name", holder, "-v", vol + ":/x", "busybox", "true")).EnsureSuccess().Stdout.Trim();

            var rm = await wharf.Docker("volume", "rm", vol);
            Assert.NotEqual(0, rm.ExitCode);
            Assert.Contains($"remove {vol}: volume is in use - [{id}]", rm.Stderr, StringComparison.Ordinal);

            (await wharf.Docker("rm", holder)).EnsureSuccess();
            (await wharf.Docker("volume", "rm", vol)).EnsureSuccess();
        });
    }

    [Fact]
    public async Task Prune_removes_unused_anonymous_volumes_and_with_all_named_ones()
    {
        var named = wharf.UniqueName("prunable");
        var holder = wharf.UniqueName("keeper");
        await WithCleanup([holder], [named], async () =>
        {
            (await wharf.Docker("volume", "create", named)).EnsureSuccess();
            (await wharf.Docker("create", "--name", holder, "-v", "/kept", "busybox", "true")).EnsureSuccess();
            var kept = (await wharf.Docker("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", holder)).EnsureSuccess().Stdout.Trim();
            var loose = (await wharf.Docker("volume", "create")).EnsureSuccess().Stdout.Trim();

            var prune = (await wharf.Docker("volume", "prune", "-f")).EnsureSuccess();
            Assert.Contains(loose, prune.Stdout, StringComparison.Ordinal);
            var left = (await wharf.Docker("volume", "ls", "-q")).EnsureSuccess().StdoutLines;
            Assert.Contains(named, left);
            Assert.Contains(kept, left);
            Assert.DoesNotContain(loose, left);

            var all = (await wharf.Docker("volume", "prune", "-a", "-f")).EnsureSuccess();
            Assert.Contains(named, all.Stdout, StringComparison.Ordinal);
            Assert.Contains(kept, (await wharf.Docker("volume", "ls", "-q")).EnsureSuccess().StdoutLines);
        });
    }

    [Fact]
    public async Task New_volumes_are_filled_from_the_image_unless_nocopy()
    {
        var image = wharf.UniqueName("withdata") + ":v1";
        var named = wharf.UniqueName("copied");
        var empty = wharf.UniqueName("nocopy");
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("copyup") + ".tar");
        WriteImageWithData(tar);
        try
        {
            (await wharf.Docker("import", "--change", "VOLUME /data", tar, image)).EnsureSuccess();
            await WithCleanup([], [named, empty], async () =>
            {
                const string Probe = "stat -c '%u:%g %a' /data /data/hello.txt; cat /data/hello.txt; ls /data/sub";
                var anon = (await wharf.Docker("run", "--rm", image, "sh", "-c", Probe)).EnsureSuccess();
                Assert.Equal("1000:1000 750\n1000:1000 640\nfrom the image\nnested\n", anon.Stdout);

                var viaNamed = (await wharf.Docker("run", "--rm", "-v", named + ":/data", image, "sh", "-c", Probe)).EnsureSuccess();
                Assert.Equal(anon.Stdout, viaNamed.Stdout);
                // Only a new, empty volume is filled: what a container wrote stays.
                (await wharf.Docker("run", "--rm", "-v", named + ":/data", image, "sh", "-c", "echo changed > /data/hello.txt")).EnsureSuccess();
                Assert.Equal("changed\n", (await wharf.Docker("run", "--rm", "-v", named + ":/data", image, "cat", "/data/hello.txt")).EnsureSuccess().Stdout);

                var noCopy = (await wharf.Docker("run", "--rm", "-v", empty + ":/data:nocopy", image, "ls", "-A", "/data")).EnsureSuccess();
                Assert.Equal("", noCopy.Stdout);
            });
        }
        finally
        {
            await wharf.Docker("rmi", "-f", image);
            File.Delete(tar);
        }
    }

    [Fact]
    public async Task Volume_events_are_published()
    {
        var vol = wharf.UniqueName("ev");
        await WithCleanup([], [vol], async () =>
        {
            var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            (await wharf.Docker("volume", "create", vol)).EnsureSuccess();
            (await wharf.Docker("run", "--rm", "-v", vol + ":/v", "busybox", "true")).EnsureSuccess();
            (await wharf.Docker("volume", "rm", vol)).EnsureSuccess();
            var until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

            var events = (await wharf.Docker("events", "--since", since, "--until", until, "--filter", "type=volume", "--filter", "volume=" + vol,
                "--format", "{{.Action}}")).EnsureSuccess();
            Assert.Equal(["create", "mount", "unmount", "destroy"], events.StdoutLines);
        });
    }

    /// <summary>A runnable rootfs whose /data holds files with their own owner and modes.</summary>
    private static void WriteImageWithData(string path)
    {
        const UnixFileMode Exec = (UnixFileMode)0b111_101_101; // 0755
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = Exec });
        using (var busybox = File.OpenRead("/bin/busybox"))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { DataStream = busybox, Mode = Exec });
        foreach (var applet in new[] { "sh", "cat", "stat", "ls", "echo" })
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = Exec });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "data/") { Mode = (UnixFileMode)0b111_101_000 /* 0750 */, Uid = 1000, Gid = 1000 });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/hello.txt")
        {
            DataStream = new MemoryStream("from the image\n"u8.ToArray()), Mode = (UnixFileMode)0b110_100_000 /* 0640 */, Uid = 1000, Gid = 1000,
        });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "data/sub/") { Mode = Exec });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/sub/nested") { DataStream = new MemoryStream([]), Mode = Exec });
    }
}
