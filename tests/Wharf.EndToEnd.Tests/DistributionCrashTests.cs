using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// wharfd SIGKILLs itself in the middle of a pull (WHARF_TEST_CRASH_AT, src/Wharf.Engine/Containers/CrashPoints.cs):
/// after a restart there is no image (never a partial one), and the next pull reuses the verified blob already
/// fetched instead of downloading it again. Also the daemon config file (registry mirrors), which needs a restart.
/// </summary>
[Collection(DistributionCollection.Name)]
public sealed class DistributionCrashTests(DaemonFixture wharf)
{
    private async Task<(string Name, string Layer)> PushUnique(TestRegistry registry, string repo)
    {
        var name = $"{registry.Host}/{repo}";
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("rootfs") + ".tar");
        TarFiles.WriteRootfs(tar, "unique " + Guid.NewGuid() + "\n");
        (await wharf.Docker("import", tar, name + ":1")).EnsureSuccess();
        var push = (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Host}/v2/{repo}/manifests/1");
        request.Headers.Add("Accept", "application/vnd.docker.distribution.manifest.v2+json");
        using var doc = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.True(push.ExitCode == 0);
        return (name, doc.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!);
    }

    private async Task CrashDuringPull(string step, string reference)
    {
        await wharf.Daemon.StopAsync();
        await wharf.Daemon.StartAsync(new Dictionary<string, string> { ["WHARF_TEST_CRASH_AT"] = step });
        try
        {
            var pull = await wharf.Docker("pull", reference);
            Assert.NotEqual(0, pull.ExitCode);
            Assert.True(await wharf.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)), $"wharfd did not crash at {step}\n{wharf.Daemon.LogTail()}");
        }
        finally
        {
            if (wharf.Daemon.IsRunning) await wharf.Daemon.KillAsync();
            await wharf.Daemon.StartAsync();
        }
    }

    private async Task<string[]> ImageIds() =>
        [.. (await wharf.Docker("images", "-a", "-q", "--no-trunc")).EnsureSuccess().StdoutLines.Order(StringComparer.Ordinal)];

    private async Task<bool> ImageListed(string name) =>
        (await wharf.Docker("images", "-a", "--format", "{{.Repository}}:{{.Tag}}")).EnsureSuccess().StdoutLines.Contains(name + ":1");

    [Theory]
    [InlineData("pull-blob-committed")]
    [InlineData("pull-layer-unpacked")]
    public async Task A_pull_killed_half_way_leaves_no_image_and_the_next_pull_reuses_the_fetched_blob(string step)
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var (name, layer) = await PushUnique(registry, "e2e/crash-" + step);
        var before = await ImageIds();
        await CrashDuringPull(step, name + ":1");

        Assert.False(await ImageListed(name), "a crashed pull must not leave an image");
        Assert.Equal(before, await ImageIds());
        Assert.Equal(1, registry.BlobGets(layer));

        var pull = (await wharf.Docker("pull", name + ":1")).EnsureSuccess();
        Assert.Contains(layer[7..19] + ": Already exists", pull.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, registry.BlobGets(layer));
        Assert.True(await ImageListed(name));
        (await wharf.Docker("run", "--rm", name + ":1", "cat", "/hello.txt")).EnsureSuccess();
    }

    [Fact]
    public async Task A_mirror_from_the_config_file_is_tried_before_the_registry()
    {
        await using var origin = await TestRegistry.StartAsync(wharf.TempDir);
        await using var mirror = await TestRegistry.StartAsync(wharf.TempDir);
        // The image exists only on the mirror (same repository path); the origin has nothing.
        var (mirrored, layer) = await PushUnique(mirror, "e2e/mirrored");
        var config = Path.Combine(wharf.TempDir, "daemon.json");
        File.WriteAllText(config, $$"""{"registry-mirrors": ["http://{{mirror.Host}}"], "insecure-registries": ["{{origin.Host}}"]}""");
        await wharf.Daemon.StopAsync();
        wharf.Daemon.ExtraArgs = ["--config-file", config];
        try
        {
            await wharf.Daemon.StartAsync();
            var pull = (await wharf.Docker("pull", $"{origin.Host}/e2e/mirrored:1")).EnsureSuccess();
            Assert.Contains("Pull complete", pull.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, mirror.BlobGets(layer));
            Assert.DoesNotContain("/v2/e2e/mirrored/manifests", origin.Log(), StringComparison.Ordinal);
            // Not on the mirror: the origin answers.
            var (onOrigin, _) = await PushUnique(origin, "e2e/origin-only");
            (await wharf.Docker("pull", onOrigin + ":1")).EnsureSuccess();
            Assert.NotEqual(mirrored, onOrigin);
        }
        finally
        {
            await wharf.Daemon.StopAsync();
            wharf.Daemon.ExtraArgs = [];
            await wharf.Daemon.StartAsync();
        }
    }
}
