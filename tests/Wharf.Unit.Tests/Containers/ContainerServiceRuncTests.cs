using System.Formats.Tar;
using System.Text;
using Wharf.Api.Containers;
using Wharf.Engine.Containers;
using Wharf.Engine.Images;
using Wharf.Runtime;
using Wharf.Snapshots;

namespace Wharf.Unit.Tests.Containers;

/// <summary>
/// The whole container path with the real pieces: image import, overlay snapshot, spec, wharf-shim + runc.
/// Needs root, runc, busybox-static and a built wharf-shim: fails (never skips) without them.
/// </summary>
public sealed class ContainerServiceRuncTests
{
    private static string Require(string what, params string[] candidates) =>
        candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{what} is required for this test");

    private static string FindShim()
    {
        var env = Environment.GetEnvironmentVariable("WHARF_SHIM");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var rel in new[] { "artifacts/wharf/wharf-shim", "src/Wharf.Shim/bin/Debug/net10.0/wharf-shim" })
            {
                var p = Path.Combine(dir.FullName, rel);
                if (File.Exists(p)) return p;
            }
        }
        throw new InvalidOperationException("wharf-shim is required for this test (build src/Wharf.Shim or set WHARF_SHIM)");
    }

    private static MemoryStream BusyboxTar(string busybox)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var d in new[] { "bin/", "proc/", "sys/", "dev/", "etc/", "tmp/" })
                w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, d) { Mode = (UnixFileMode)0b111_101_101 });
            using (var f = File.OpenRead(busybox))
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0b111_101_101, DataStream = f });
            foreach (var applet in new[] { "sh", "echo", "sleep", "cat" })
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = (UnixFileMode)0b111_111_111 });
        }
        ms.Position = 0;
        return ms;
    }

    [Fact]
    public async Task Create_attach_start_wait_logs_remove_with_runc()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (overlay mounts, runc)");
        Require("runc", "/usr/sbin/runc", "/usr/bin/runc");
        var busybox = Require("busybox-static", "/bin/busybox", "/usr/bin/busybox");
        var shim = FindShim();

        var tmp = Directory.CreateTempSubdirectory("wharf-ctr-runc-").FullName;
        var dataRoot = Path.Combine(tmp, "data");
        var runRoot = Path.Combine(tmp, "run");
        ContainerService? svc = null;
        string? id = null;
        try
        {
            var images = new ImageService(dataRoot);
            using (var tar = BusyboxTar(busybox)) images.Import(tar, "busybox", "latest");
            var runtime = new RuncRuntime("runc", Path.Combine(tmp, "runc"), shim);
            svc = new ContainerService(dataRoot, images, runtime, TimeProvider.System, runRoot);
            images.Usage = svc;
            await svc.InitializeAsync();

            id = (await svc.CreateAsync(null,
                new ContainerConfig { Image = "busybox", Cmd = ["sh", "-c", "echo hi; echo err >&2; cat /etc/hostname"] },
                new HostConfig(), null)).Id;
            Assert.Single(svc.ContainersUsing(images.Resolve("busybox").Id));

            await using var attach = svc.Attach(id, stdin: false, stdout: true, stderr: true);
            using var wait = svc.BeginWait(id, "next-exit");
            await svc.StartAsync(id);

            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await attach.ReadAsync(cts.Token) is { } chunk)
                (chunk.Stream == 2 ? stderr : stdout).Append(Encoding.UTF8.GetString(chunk.Data.Span));
            Assert.Equal("hi\n" + id[..12] + "\n", stdout.ToString());
            Assert.Equal("err\n", stderr.ToString());

            var (code, _) = await wait.Result.WaitAsync(cts.Token);
            Assert.Equal(0, code);
            var state = svc.Inspect(id).State;
            Assert.Equal("exited", state.Status);
            Assert.Equal(0, state.ExitCode);

            var logs = new List<string>();
            await foreach (var e in svc.Logs(id, stdout: true, stderr: true, cancellationToken: cts.Token))
                logs.Add(e.Stream + ":" + Encoding.UTF8.GetString(e.Data.Span));
            // stdout and stderr are separate pipes: only the order within a stream is defined.
            Assert.Equal(["1:hi\n", "1:" + id[..12] + "\n"], logs.Where(l => l[0] == '1'));
            Assert.Equal(["2:err\n"], logs.Where(l => l[0] == '2'));

            // A missing executable: 400-class error, ExitCode 127, still "created".
            var bad = (await svc.CreateAsync(null, new ContainerConfig { Image = "busybox", Cmd = ["/nope"] }, null, null)).Id;
            var ex = await Assert.ThrowsAsync<Wharf.Core.WharfException>(() => svc.StartAsync(bad));
            Assert.Equal(Wharf.Core.ErrorKind.InvalidArgument, ex.Kind);
            Assert.Equal(127, svc.Inspect(bad).State.ExitCode);
            await svc.RemoveAsync(bad);

            await svc.RemoveAsync(id);
            Assert.False(Directory.Exists(Path.Combine(dataRoot, "containers", id)));
            Assert.Empty(svc.List(all: true));
            id = null;
        }
        finally
        {
            if (svc is not null && id is not null)
            {
                try { await svc.RemoveAsync(id, force: true); } catch (Wharf.Core.WharfException) { }
            }
            foreach (var d in Directory.Exists(Path.Combine(dataRoot, "containers")) ? Directory.GetDirectories(Path.Combine(dataRoot, "containers")) : [])
                MountHelper.UnmountAll(Path.Combine(d, "rootfs"));
            Directory.Delete(tmp, recursive: true);
        }
    }
}
