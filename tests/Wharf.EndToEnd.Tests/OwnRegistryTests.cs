using System.Text;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>docker push / pull / login through wharfd against Wharf's own registry server (`wharf registry serve`),
/// without auth, with htpasswd basic auth and with its token service (Docker's bearer token flow).</summary>
[Collection(DistributionCollection.Name)]
public sealed class OwnRegistryTests(DaemonFixture wharf)
{
    private async Task ImportUnique(string reference)
    {
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("rootfs") + ".tar");
        TarFiles.WriteRootfs(tar, "unique " + Guid.NewGuid() + "\n");
        (await wharf.Docker("import", tar, reference)).EnsureSuccess();
    }

    private async Task RoundTrip(string name)
    {
        await ImportUnique(name + ":1");
        var id = (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", name + ":1")).EnsureSuccess().Stdout;

        var push = (await wharf.Docker("push", name + ":1")).EnsureSuccess();
        Assert.Contains(": Pushed", push.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"1: digest: sha256:[0-9a-f]{64} size: \d+", push.Stdout);
        Assert.Contains(": Layer already exists", (await wharf.Docker("push", name + ":1")).EnsureSuccess().Stdout, StringComparison.Ordinal);

        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        var pull = (await wharf.Docker("pull", name + ":1")).EnsureSuccess();
        Assert.Contains("Pull complete", pull.Stdout, StringComparison.Ordinal);
        Assert.Equal(id, (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", name + ":1")).EnsureSuccess().Stdout);
        Assert.StartsWith("unique ", (await wharf.Docker("run", "--rm", name + ":1", "cat", "/hello.txt")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
    }

    [Fact]
    public async Task Push_and_pull_round_trip_through_wharf_registry_serve()
    {
        await using var registry = await TestRegistry.StartWharfAsync(wharf.TempDir);

        await RoundTrip($"{registry.Host}/e2e/own");
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Docker_login_against_wharf_registry_serve_gates_push_and_pull(string auth)
    {
        await using var registry = await TestRegistry.StartWharfAsync(wharf.TempDir, auth, ("wharf", "s3cret-pw"));
        var name = $"{registry.Host}/e2e/private-{auth}";
        try
        {
            var bad = await wharf.DockerWith(["login", "-u", "wharf", "--password-stdin", registry.Host], "wrong\n");
            Assert.NotEqual(0, bad.ExitCode);

            await ImportUnique(name + ":0");
            var denied = await wharf.Docker("push", name + ":0");
            Assert.NotEqual(0, denied.ExitCode);
            (await wharf.Docker("rmi", name + ":0")).EnsureSuccess();

            var good = await wharf.DockerWith(["login", "-u", "wharf", "--password-stdin", registry.Host], "s3cret-pw\n");
            Assert.True(good.ExitCode == 0, good + "\n" + registry.Log());
            Assert.Contains("Login Succeeded", good.Stdout, StringComparison.Ordinal);
            await RoundTrip(name);
        }
        finally
        {
            await wharf.Docker("logout", registry.Host);
        }

        await ImportUnique(name + ":2");
        Assert.NotEqual(0, (await wharf.Docker("push", name + ":2")).ExitCode);
        (await wharf.Docker("rmi", name + ":2")).EnsureSuccess();
    }

    [Fact]
    public async Task Docker_login_with_token_auth_stores_an_identity_token_that_push_and_pull_then_use()
    {
        await using var registry = await TestRegistry.StartWharfAsync(wharf.TempDir, "token", ("wharf", "s3cret-pw"));
        var name = $"{registry.Host}/e2e/identity";
        try
        {
            var login = await wharf.DockerWith(["login", "-u", "wharf", "--password-stdin", registry.Host], "s3cret-pw\n");
            Assert.True(login.ExitCode == 0, login + "\n" + registry.Log());

            // The docker CLI keeps the identity token instead of the password (cli/command/registry/login.go).
            var config = Path.Combine(wharf.ClientEnvironment["DOCKER_CONFIG"]!, "config.json");
            using (var doc = JsonDocument.Parse(File.ReadAllText(config)))
            {
                var entry = doc.RootElement.GetProperty("auths").GetProperty(registry.Host);
                Assert.False(string.IsNullOrEmpty(entry.GetProperty("identitytoken").GetString()), File.ReadAllText(config));
                Assert.Equal("wharf:", Encoding.UTF8.GetString(Convert.FromBase64String(entry.GetProperty("auth").GetString()!)));
            }

            // No password is left anywhere: these only work through the OAuth2 refresh_token grant.
            await RoundTrip(name);
        }
        finally
        {
            await wharf.Docker("logout", registry.Host);
        }
    }

    [Fact]
    public async Task Wharf_login_push_and_pull_keep_credentials_in_the_docker_configs_credential_helper()
    {
        await using var registry = await TestRegistry.StartWharfAsync(wharf.TempDir, "token", ("wharf", "s3cret-pw"));
        var name = $"{registry.Host}/e2e/helper";
        // A private docker config naming a test-owned helper, placed first on PATH: one file per server URL.
        var dir = Path.Combine(wharf.TempDir, wharf.UniqueName("creds"));
        var bin = Directory.CreateDirectory(Path.Combine(dir, "bin")).FullName;
        var store = Directory.CreateDirectory(Path.Combine(dir, "store")).FullName;
        var helper = Path.Combine(bin, "docker-credential-e2e");
        File.WriteAllText(helper, $$"""
            #!/bin/sh
            echo "$1" >> {{dir}}/calls
            case "$1" in
              store) input=$(cat); key=$(printf '%s' "$input" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/'); printf '%s' "$input" > "{{store}}/$key" ;;
              get) key=$(cat); if [ -f "{{store}}/$key" ]; then cat "{{store}}/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
              erase) key=$(cat); rm -f "{{store}}/$key" ;;
              *) exit 2 ;;
            esac
            """);
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = Path.Combine(dir, "config");
        Directory.CreateDirectory(config);
        File.WriteAllText(Path.Combine(config, "config.json"), """{"credsStore":"e2e"}""");
        var env = new Dictionary<string, string?>(wharf.ClientEnvironment)
        {
            ["DOCKER_CONFIG"] = config,
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
        Task<CommandResult> WharfCli(params string[] args) => ProcessRunner.RunAsync(TestPaths.WharfCli, args, env, timeout: TimeSpan.FromSeconds(120));

        await ImportUnique(name + ":1");
        Assert.NotEqual(0, (await WharfCli("push", name + ":1")).ExitCode);

        (await WharfCli("login", "-u", "wharf", "-p", "s3cret-pw", registry.Host)).EnsureSuccess();
        // The helper holds the identity token; config.json only lists the registry.
        var stored = File.ReadAllText(Path.Combine(store, registry.Host));
        using (var doc = JsonDocument.Parse(stored))
        {
            Assert.Equal("<token>", doc.RootElement.GetProperty("Username").GetString());
        }

        Assert.DoesNotContain("s3cret-pw", stored, StringComparison.Ordinal);
        var written = File.ReadAllText(Path.Combine(config, "config.json"));
        Assert.DoesNotContain("s3cret-pw", written, StringComparison.Ordinal);
        Assert.DoesNotContain("identitytoken", written, StringComparison.Ordinal);

        var push = (await WharfCli("push", name + ":1")).EnsureSuccess();
        Assert.Contains(": Pushed", push.Stdout, StringComparison.Ordinal);
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        (await WharfCli("pull", name + ":1")).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        // The docker CLI reads the same helper entry.
        (await ProcessRunner.RunAsync(TestPaths.DockerCli, ["pull", name + ":1"], env)).EnsureSuccess();
        (await wharf.Docker("rmi", name + ":1")).EnsureSuccess();
        Assert.Contains("get", File.ReadAllLines(Path.Combine(dir, "calls")));

        (await WharfCli("logout", registry.Host)).EnsureSuccess();
        Assert.False(File.Exists(Path.Combine(store, registry.Host)));
        Assert.Contains("erase", File.ReadAllLines(Path.Combine(dir, "calls")));
    }
}
