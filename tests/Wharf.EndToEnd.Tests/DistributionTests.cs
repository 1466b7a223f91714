using System.Diagnostics;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>docker push / pull / login through wharfd against the reference registry (distribution 2.8).</summary>
[Collection(DistributionCollection.Name)]
public sealed class DistributionTests(DaemonFixture wharf)
{
    /// <summary>A one-layer image whose layer no other test has (its own text file), named <paramref name="reference"/>.</summary>
    private async Task<string> ImportUnique(string reference)
    {
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("rootfs") + ".tar");
        TarFiles.WriteRootfs(tar, "unique " + Guid.NewGuid() + "\n");
        var result = await wharf.Docker("import", tar, reference);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    private async Task<JsonElement> Inspect(string reference)
    {
        var result = (await wharf.Docker("image", "inspect", reference)).EnsureSuccess();
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement[0].Clone();
    }

    private static string LayerDigest(JsonElement manifest) => manifest.GetProperty("layers")[0].GetProperty("digest").GetString()!;

    private async Task<JsonElement> RegistryManifest(TestRegistry registry, string repo, string tag)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Host}/v2/{repo}/manifests/{tag}");
        request.Headers.Add("Accept", "application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Push_then_pull_round_trips_and_reports_progress_like_docker()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var name = $"{registry.Host}/e2e/roundtrip";
        var id = await ImportUnique(name + ":1");

        var push = (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        Assert.Contains($"The push refers to repository [{name}]", push.Stdout, StringComparison.Ordinal);
        Assert.Contains(": Pushed", push.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"1: digest: sha256:[0-9a-f]{64} size: \d+", push.Stdout);
        var manifest = await RegistryManifest(registry, "e2e/roundtrip", "1");

        var again = (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        Assert.Contains(": Layer already exists", again.Stdout, StringComparison.Ordinal);

        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        var pull = (await wharf.Docker("pull", name + ":1")).EnsureSuccess();
        var layerShort = LayerDigest(manifest)[7..19];
        Assert.Contains("1: Pulling from e2e/roundtrip", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains(layerShort + ": Pull complete", pull.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"Digest: sha256:[0-9a-f]{64}", pull.Stdout);
        Assert.Contains($"Status: Downloaded newer image for {name}:1", pull.Stdout, StringComparison.Ordinal);

        var inspect = await Inspect(name + ":1");
        Assert.Equal(id, inspect.GetProperty("Id").GetString());
        var repoDigest = inspect.GetProperty("RepoDigests")[0].GetString()!;
        Assert.StartsWith(name + "@sha256:", repoDigest, StringComparison.Ordinal);
        var run = (await wharf.Docker("run", "--rm", name + ":1", "cat", "/hello.txt")).EnsureSuccess();
        Assert.StartsWith("unique ", run.Stdout, StringComparison.Ordinal);

        var upToDate = (await wharf.Docker("pull", name + ":1")).EnsureSuccess();
        Assert.Contains($"Status: Image is up to date for {name}:1", upToDate.Stdout, StringComparison.Ordinal);

        // The raw stream: per-layer states with progressDetail, as the docker CLI renders them on a terminal.
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        using var http = wharf.Http();
        var raw = await (await http.PostAsync($"/images/create?fromImage={name}&tag=1", null)).Content.ReadAsStringAsync();
        var statuses = raw.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("status").GetString()).ToList();
        Assert.Equal(["Pulling from e2e/roundtrip", "Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete",
            "Extracting", "Pull complete"], statuses.Take(7).Distinct().ToList());
        Assert.Contains("\"progressDetail\":{\"current\":", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_by_digest_works_and_a_wrong_digest_is_refused()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var name = $"{registry.Host}/e2e/bydigest";
        await ImportUnique(name + ":v");
        var push = (await wharf.Docker("push", name + ":v")).EnsureSuccess();
        var digest = System.Text.RegularExpressions.Regex.Match(push.Stdout, "sha256:[0-9a-f]{64}").Value;
        (await wharf.Docker("rmi", name + ":v")).EnsureSuccess();

        var pull = (await wharf.Docker("pull", name + "@" + digest)).EnsureSuccess();
        Assert.Contains("Digest: " + digest, pull.Stdout, StringComparison.Ordinal);
        (await wharf.Docker("run", "--rm", name + "@" + digest, "cat", "/hello.txt")).EnsureSuccess();

        var missing = await wharf.Docker("pull", name + "@sha256:" + new string('0', 64));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
        var noTag = await wharf.Docker("pull", name + ":nope");
        Assert.NotEqual(0, noTag.ExitCode);
        Assert.Contains($"manifest for {name}:nope not found: manifest unknown", noTag.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_mounts_a_blob_from_another_repository_of_the_same_registry()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var first = $"{registry.Host}/e2e/first";
        var second = $"{registry.Host}/e2e/second";
        await ImportUnique(first + ":1");
        (await wharf.Docker("push", first + ":1")).EnsureSuccess();
        (await wharf.Docker("tag", first + ":1", second + ":1")).EnsureSuccess();
        var push = (await wharf.Docker("push", second + ":1")).EnsureSuccess();
        Assert.Contains(": Mounted from e2e/first", push.Stdout, StringComparison.Ordinal);
        var manifest = await RegistryManifest(registry, "e2e/second", "1");
        Assert.Equal(0, registry.Log().Split('\n').Count(l => l.Contains("\"PUT /v2/e2e/second/blobs/uploads/", StringComparison.Ordinal) &&
                                                             l.Contains(LayerDigest(manifest), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_tampered_layer_is_rejected_and_nothing_of_it_stays_in_the_store()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var name = $"{registry.Host}/e2e/tampered";
        await ImportUnique(name + ":1");
        (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        var manifest = await RegistryManifest(registry, "e2e/tampered", "1");
        var layer = LayerDigest(manifest);
        var config = manifest.GetProperty("config").GetProperty("digest").GetString()!;
        var localBlob = Path.Combine(wharf.Daemon.DataRoot, "content", "blobs", "sha256", layer[7..]);
        Assert.False(File.Exists(localBlob), "rmi should have removed the layer blob");

        // Same size, one byte different: only the digest check can notice.
        var file = registry.BlobFile(layer);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0xff;
        await File.WriteAllBytesAsync(file, bytes);

        var pull = await wharf.Docker("pull", name + ":1");
        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("filesystem layer verification failed for digest " + layer, pull.Stdout + pull.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(localBlob), "the tampered blob must not be stored");
        Assert.False(File.Exists(Path.Combine(wharf.Daemon.DataRoot, "content", "blobs", "sha256", config[7..])), "no config of a failed pull");
        var images = (await wharf.Docker("images", "--format", "{{.Repository}}")).EnsureSuccess();
        Assert.DoesNotContain(name, images.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(wharf.Daemon.DataRoot, "content", "ingest")));
    }

    [Fact]
    public async Task Login_checks_credentials_against_an_htpasswd_registry_and_push_uses_them()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir, ("wharf", "s3cret-pw"));
        var bad = await wharf.DockerWith(["login", "-u", "wharf", "--password-stdin", registry.Host], "wrong\n");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("401", bad.Stderr, StringComparison.Ordinal);

        var anonymous = $"{registry.Host}/e2e/private";
        await ImportUnique(anonymous + ":1");
        var denied = await wharf.Docker("push", anonymous + ":1");
        Assert.NotEqual(0, denied.ExitCode);

        var good = await wharf.DockerWith(["login", "-u", "wharf", "--password-stdin", registry.Host], "s3cret-pw\n");
        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Contains("Login Succeeded", good.Stdout, StringComparison.Ordinal);
        (await wharf.Docker("push", anonymous + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", anonymous + ":1")).EnsureSuccess();
        (await wharf.Docker("pull", anonymous + ":1")).EnsureSuccess();
        (await wharf.Docker("logout", registry.Host)).EnsureSuccess();
        (await wharf.Docker("rmi", anonymous + ":1")).EnsureSuccess();
        var anon = await wharf.Docker("pull", anonymous + ":1");
        Assert.NotEqual(0, anon.ExitCode);
        Assert.Contains("pull access denied", anon.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_run_pulls_a_missing_image_and_Docker_Hub_fails_fast_and_clearly()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var name = $"{registry.Host}/e2e/runpull";
        await ImportUnique(name + ":1");
        (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        var run = (await wharf.Docker("run", "--rm", name + ":1", "cat", "/hello.txt")).EnsureSuccess();
        Assert.Contains("Unable to find image", run.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("unique ", run.Stdout, StringComparison.Ordinal);

        var watch = Stopwatch.StartNew();
        var hub = await wharf.Docker("pull", "wharf-e2e-not-here/none:1");
        Assert.NotEqual(0, hub.ExitCode);
        Assert.Contains("registry-1.docker.io", hub.Stderr, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Build_FROM_pulls_a_missing_image_and_build_pull_pulls_a_present_one()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir);
        var name = $"{registry.Host}/e2e/base";
        await ImportUnique(name + ":1");
        (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        var ctx = Path.Combine(wharf.TempDir, wharf.UniqueName("ctx"));
        Directory.CreateDirectory(ctx);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), $"FROM {name}:1\nRUN cat /hello.txt > /copy.txt\n");
        var env = new Dictionary<string, string?>(wharf.ClientEnvironment) { ["DOCKER_BUILDKIT"] = "0" };
        var tag = wharf.UniqueName("built");
        var build = await ProcessRunner.RunAsync(TestPaths.DockerCli, ["build", "-t", tag, ctx], env, timeout: TimeSpan.FromMinutes(2));
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Status: Downloaded newer image for " + name + ":1", build.Stdout, StringComparison.Ordinal);
        var run = (await wharf.Docker("run", "--rm", tag, "cat", "/copy.txt")).EnsureSuccess();
        Assert.StartsWith("unique ", run.Stdout, StringComparison.Ordinal);

        var again = await ProcessRunner.RunAsync(TestPaths.DockerCli, ["build", "--pull", "-t", tag, ctx], env, timeout: TimeSpan.FromMinutes(2));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Status: Image is up to date for " + name + ":1", again.Stdout, StringComparison.Ordinal);

        // The built image has two layers: push it, remove it and its base, pull it back (layers in parallel,
        // published in order on their parent).
        var multi = $"{registry.Host}/e2e/multi:1";
        (await wharf.Docker("tag", tag, multi)).EnsureSuccess();
        var push = (await wharf.Docker("push", multi)).EnsureSuccess();
        Assert.Contains(": Mounted from e2e/base", push.Stdout, StringComparison.Ordinal); // the base layer came from e2e/base
        (await wharf.Docker("rmi", multi, tag, name + ":1")).EnsureSuccess();
        var pull = (await wharf.Docker("pull", multi)).EnsureSuccess();
        Assert.Equal(2, pull.StdoutLines.Count(l => l.EndsWith(": Pull complete", StringComparison.Ordinal)));
        var copied = (await wharf.Docker("run", "--rm", multi, "cat", "/copy.txt")).EnsureSuccess();
        Assert.Equal(run.Stdout, copied.Stdout);
    }

    [Fact]
    public async Task Wharf_cli_logs_in_pushes_pulls_and_logs_out()
    {
        await using var registry = await TestRegistry.StartAsync(wharf.TempDir, ("cli", "cli-pw"));
        var name = $"{registry.Host}/e2e/cli";
        await ImportUnique(name + ":2");
        var bad = await wharf.Wharf("login", "-u", "cli", "-p", "nope", registry.Host);
        Assert.NotEqual(0, bad.ExitCode);
        var login = await wharf.Wharf("login", "-u", "cli", "-p", "cli-pw", registry.Host);
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("Login Succeeded", login.Stdout, StringComparison.Ordinal);

        var push = (await wharf.Wharf("push", name + ":2")).EnsureSuccess();
        Assert.Contains(": Pushed", push.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"2: digest: sha256:[0-9a-f]{64} size: \d+", push.Stdout);
        (await wharf.Wharf("rmi", name + ":2")).EnsureSuccess();
        var pull = (await wharf.Wharf("pull", name + ":2")).EnsureSuccess();
        Assert.Contains(": Pull complete", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains("Status: Downloaded newer image for " + name + ":2", pull.Stdout, StringComparison.Ordinal);
        (await wharf.Wharf("rmi", name + ":2")).EnsureSuccess();
        var run = (await wharf.Wharf("run", "--rm", name + ":2", "cat", "/hello.txt")).EnsureSuccess();
        Assert.StartsWith("unique ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Unable to find image", run.Stderr, StringComparison.Ordinal);

        (await wharf.Wharf("logout", registry.Host)).EnsureSuccess();
        (await wharf.Wharf("rmi", name + ":2")).EnsureSuccess();
        var anonymous = await wharf.Wharf("pull", name + ":2");
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("pull access denied", anonymous.Stderr, StringComparison.Ordinal);
    }
}
