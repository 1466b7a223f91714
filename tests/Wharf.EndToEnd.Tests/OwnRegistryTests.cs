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
}
