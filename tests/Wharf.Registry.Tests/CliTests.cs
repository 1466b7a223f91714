using System.Diagnostics;
using System.Net;
using static Wharf.Registry.Tests.Oci;

namespace Wharf.Registry.Tests;

/// <summary>The published CLI: <c>wharf registry serve</c> as its own process, and <c>wharf registry gc</c>.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-registry-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Wharf()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Wharf.slnx"))) dir = dir.Parent;
        var exe = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "artifacts", "wharf", "wharf");
        if (!File.Exists(exe)) throw new InvalidOperationException($"{exe} is missing: run scripts/build.sh first");
        return exe;
    }

    [Fact]
    public async Task ServeAndGc_FromThePublishedCli()
    {
        var root = Path.Combine(_dir, "root");
        var port = Registries.FreePort();
        var psi = new ProcessStartInfo(Wharf(), ["registry", "serve", "--addr", $"127.0.0.1:{port}", "--root", root]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        try
        {
            var r = new RegistryTarget("wharf", new Uri($"http://127.0.0.1:{port}"));
            var up = false;
            for (var i = 0; i < 100 && !up && !p.HasExited; i++)
            {
                try { up = (await r.Http.GetAsync("/v2/")).StatusCode == HttpStatusCode.OK; }
                catch (HttpRequestException) { await Task.Delay(100); }
            }
            Assert.True(up, "wharf registry serve did not answer: " + stderr);
            var (_, _, layer) = await PushImageAsync(r, "cli/app", "v1");
            var orphan = RandomBlob(321);
            await PushBlobAsync(r, "cli/app", orphan);

            var dry = await Tools.CheckedAsync(Wharf(), ["registry", "gc", "--root", root, "--dry-run", "--gc-grace", "0s"]);
            Assert.Contains($"would delete {DigestOf(orphan)}", dry);
            Assert.Contains("1 eligible for deletion", dry);
            var real = await Tools.CheckedAsync(Wharf(), ["registry", "gc", "--root", root, "--gc-grace", "0s"]);
            Assert.Contains("1 deleted, 321 bytes", real);
            Assert.Equal(HttpStatusCode.NotFound, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/cli/app/blobs/{DigestOf(orphan)}"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await r.Http.SendAsync(new(HttpMethod.Head, $"/v2/cli/app/blobs/{layer}"))).StatusCode);
        }
        finally
        {
            if (!p.HasExited)
            {
                // SIGTERM: a clean shutdown, exit 0.
                Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                if (!p.WaitForExit(10_000)) p.Kill();
            }
        }
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public async Task Serve_RejectsBadFlags()
    {
        var (code, _, err) = await Tools.RunAsync(Wharf(), ["registry", "serve", "--auth", "magic"]);
        Assert.Equal(125, code);
        Assert.Contains("--auth", err);
        (code, _, err) = await Tools.RunAsync(Wharf(), ["registry", "serve", "--auth", "basic", "--addr", "127.0.0.1:0", "--root", Path.Combine(_dir, "x")]);
        Assert.Equal(1, code);
        Assert.Contains("--htpasswd", err);
    }
}
