using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// A layer download cut half-way — by a dropped connection, or by SIGKILLing wharfd — keeps its bytes in the content
/// store's ingest area, and the next attempt asks the registry only for the rest (<c>Range: bytes=N-</c>, 206).
/// The registry sits behind a test-owned proxy on loopback (<see cref="CuttingProxy"/>) that cuts the blob and
/// counts every byte it serves.
/// </summary>
[Collection(DistributionCollection.Name)]
public sealed class ResumablePullTests(DaemonFixture wharf)
{
    private const int RandomBytes = 6 << 20;

    /// <summary>Pushes a one-layer image with a big incompressible file straight to the registry; returns the
    /// repository path, the layer digest and its size.</summary>
    private async Task<(string Repo, string Layer, long Size)> PushBig(TestRegistry registry, string repo)
    {
        var name = $"{registry.Host}/{repo}";
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("rootfs") + ".tar");
        TarFiles.WriteRootfs(tar, "resumed " + Guid.NewGuid() + "\n", RandomBytes);
        try
        {
            (await wharf.Docker("import", tar, name + ":1")).EnsureSuccess();
        }
        finally
        {
            File.Delete(tar);
        }

        (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Host}/v2/{repo}/manifests/1");
        request.Headers.Add("Accept", "application/vnd.docker.distribution.manifest.v2+json");
        using var doc = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync());
        var layer = doc.RootElement.GetProperty("layers")[0];
        return (repo, layer.GetProperty("digest").GetString()!, layer.GetProperty("size").GetInt64());
    }

    private string PartialFile(string digest) => Path.Combine(wharf.Daemon.DataRoot, "content", "ingest", digest["sha256:".Length..] + ".partial");

    private static long RangeStart(CuttingProxy.Served served)
    {
        Assert.NotNull(served.Range);
        Assert.Matches(@"^bytes=\d+-$", served.Range);
        return long.Parse(served.Range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task AssertComplete(string reference, string digest)
    {
        Assert.StartsWith("resumed ", (await wharf.Docker("run", "--rm", reference, "cat", "/hello.txt")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(RandomBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (await wharf.Docker("run", "--rm", reference, "sh", "-c", "wc -c < /random.bin")).EnsureSuccess().Stdout.Trim());
        Assert.False(File.Exists(PartialFile(digest)), "the partial file must be gone once the blob is committed");
        (await wharf.Docker("rmi", reference)).EnsureSuccess();
    }

    [Fact]
    public async Task A_dropped_connection_mid_blob_is_resumed_with_a_range_request_for_the_rest()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var (repo, layer, size) = await PushBig(registry, "e2e/resume-drop");
        await using var proxy = new CuttingProxy(registry.Host);
        var cut = size / 2;
        proxy.CutNext(layer, cut, stall: false);

        var reference = $"{proxy.Host}/{repo}:1";
        var pull = (await wharf.Docker("pull", reference)).EnsureSuccess();
        Assert.Contains("Retrying in 1 second", pull.Stdout, StringComparison.Ordinal);

        var gets = proxy.BlobGets(layer);
        Assert.Equal(2, gets.Count);
        Assert.Null(gets[0].Range);
        Assert.Equal(cut, gets[0].BodyBytes);
        var from = RangeStart(gets[1]);
        Assert.InRange(from, 1, cut);
        Assert.Equal(206, gets[1].Status);
        Assert.Equal(size - from, gets[1].BodyBytes);
        await AssertComplete(reference, layer);
    }

    [Fact]
    public async Task A_pull_killed_mid_blob_continues_after_the_restart_from_the_kept_bytes()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var (repo, layer, size) = await PushBig(registry, "e2e/resume-kill");
        await using var proxy = new CuttingProxy(registry.Host);
        var cut = size / 2;
        proxy.CutNext(layer, cut, stall: true);
        var reference = $"{proxy.Host}/{repo}:1";

        long kept;
        try
        {
            var first = wharf.Docker("pull", reference);
            await proxy.CutReached.Task.WaitAsync(TimeSpan.FromSeconds(60));
            // wharfd writes what it received through a 64 KiB buffer: wait until all but that reached the file.
            var partial = PartialFile(layer);
            for (int i = 0; i < 200 && (!File.Exists(partial) || new FileInfo(partial).Length < cut - (64 << 10)); i++)
            {
                await Task.Delay(100);
            }

            await wharf.Daemon.KillAsync();
            Assert.NotEqual(0, (await first).ExitCode);
            kept = new FileInfo(partial).Length;
            Assert.InRange(kept, 1, cut);
        }
        finally
        {
            proxy.ReleaseStall();
            if (!wharf.Daemon.IsRunning)
            {
                await wharf.Daemon.StartAsync();
            }
        }

        (await wharf.Docker("pull", reference)).EnsureSuccess();
        var gets = proxy.BlobGets(layer);
        Assert.Equal(2, gets.Count);
        Assert.Equal(kept, RangeStart(gets[1]));
        Assert.Equal(206, gets[1].Status);
        Assert.Equal(size - kept, gets[1].BodyBytes);
        await AssertComplete(reference, layer);
    }

    [Fact]
    public async Task A_registry_that_ignores_the_range_gets_the_whole_blob_downloaded_again()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var (repo, layer, size) = await PushBig(registry, "e2e/resume-norange");
        await using var proxy = new CuttingProxy(registry.Host) { IgnoreRange = true };
        proxy.CutNext(layer, size / 2, stall: false);
        var reference = $"{proxy.Host}/{repo}:1";

        (await wharf.Docker("pull", reference)).EnsureSuccess();
        var gets = proxy.BlobGets(layer);
        Assert.Equal(2, gets.Count);
        Assert.NotNull(gets[1].Range); // asked for the rest…
        Assert.Equal(200, gets[1].Status); // …got everything, and used it from the start
        Assert.Equal(size, gets[1].BodyBytes);
        await AssertComplete(reference, layer);
    }

    [Fact]
    public async Task A_kept_prefix_that_fails_the_digest_is_dropped_for_one_full_download()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var (repo, layer, size) = await PushBig(registry, "e2e/resume-bad");
        await using var proxy = new CuttingProxy(registry.Host);
        var reference = $"{proxy.Host}/{repo}:1";
        // Kept bytes that are not the blob's (as after a disk that lost writes): the rest verifies against nothing.
        var partial = PartialFile(layer);
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        var junk = new byte[size / 3];
        Random.Shared.NextBytes(junk);
        File.WriteAllBytes(partial, junk);

        (await wharf.Docker("pull", reference)).EnsureSuccess();
        var gets = proxy.BlobGets(layer);
        Assert.Equal(2, gets.Count);
        Assert.Equal(junk.Length, RangeStart(gets[0]));
        Assert.Equal(206, gets[0].Status);
        Assert.Equal(size - junk.Length, gets[0].BodyBytes);
        Assert.Null(gets[1].Range);
        Assert.Equal(size, gets[1].BodyBytes);
        await AssertComplete(reference, layer);
    }
}
