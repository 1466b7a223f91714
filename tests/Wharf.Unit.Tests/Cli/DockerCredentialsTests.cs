using System.Text.Json.Nodes;
using Wharf.Cli.Commands;

namespace Wharf.Unit.Tests.Cli;

/// <summary>
/// wharf's share of the docker CLI's credential storage: config.json keys, which credential helper a registry uses,
/// the helper protocol (JSON on stdin/stdout) and a round trip through a fake <c>docker-credential-*</c> script.
/// </summary>
public sealed class DockerCredentialsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-creds-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DockerCredentials Credentials() => new(name => name switch
    {
        "DOCKER_CONFIG" => _dir,
        "PATH" => Path.Combine(_dir, "bin") + ":/usr/bin:/bin",
        _ => null,
    });

    [Theory]
    [InlineData("localhost:5000", "localhost:5000")]
    [InlineData("http://registry.example:5000/", "registry.example:5000")]
    [InlineData("https://registry.example/v2/", "registry.example")]
    [InlineData("docker.io", DockerCredentials.HubKey)]
    [InlineData("https://index.docker.io/v1/", DockerCredentials.HubKey)]
    public void Keys_are_what_the_docker_cli_uses(string server, string key) => Assert.Equal(key, DockerCredentials.Key(server));

    [Fact]
    public void A_registrys_cred_helper_wins_over_the_creds_store()
    {
        var config = JsonNode.Parse("""{"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud","empty.io":""}}""")!.AsObject();
        Assert.Equal("gcloud", DockerCredentials.HelperFor(config, "gcr.io"));
        Assert.Equal("desktop", DockerCredentials.HelperFor(config, "other.io"));
        Assert.Equal("desktop", DockerCredentials.HelperFor(config, "empty.io"));
        Assert.Null(DockerCredentials.HelperFor(new JsonObject(), "gcr.io"));
    }

    [Fact]
    public void The_helper_protocol_carries_identity_tokens_under_the_token_username()
    {
        var stored = JsonNode.Parse(DockerCredentials.HelperStoreInput("r.io", new RegistryCredentials("alice", "", "refresh-1")))!;
        Assert.Equal("r.io", (string?)stored["ServerURL"]);
        Assert.Equal("<token>", (string?)stored["Username"]);
        Assert.Equal("refresh-1", (string?)stored["Secret"]);
        Assert.Equal(new RegistryCredentials("", "", "refresh-1"), DockerCredentials.ParseHelperOutput("""{"ServerURL":"r.io","Username":"<token>","Secret":"refresh-1"}"""));
        Assert.Equal(new RegistryCredentials("bob", "pw"), DockerCredentials.ParseHelperOutput("""{"ServerURL":"r.io","Username":"bob","Secret":"pw"}"""));
        Assert.Null(DockerCredentials.ParseHelperOutput("not json"));
    }

    [Fact]
    public void Without_a_helper_config_json_holds_auth_and_identity_token()
    {
        var creds = Credentials();
        creds.Store("r.io", new RegistryCredentials("alice", "pw"));
        Assert.Equal(new RegistryCredentials("alice", "pw"), creds.Get("r.io"));
        creds.Store("t.io", new RegistryCredentials("alice", "", "refresh-1"));
        Assert.Equal(new RegistryCredentials("alice", "", "refresh-1"), creds.Get("t.io"));
        Assert.True(creds.Erase("r.io"));
        Assert.False(creds.Erase("r.io"));
        Assert.Null(creds.Get("r.io"));
    }

    [Fact]
    public void A_creds_store_helper_keeps_the_secret_and_config_json_only_lists_the_registry()
    {
        // A fake helper: one file per server URL, the protocol's JSON kept verbatim.
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var store = Directory.CreateDirectory(Path.Combine(_dir, "store")).FullName;
        var script = Path.Combine(bin, "docker-credential-fake");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            store={{store}}
            case "$1" in
              store) input=$(cat); key=$(printf '%s' "$input" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/'); printf '%s' "$input" > "$store/$key" ;;
              get) key=$(cat); if [ -f "$store/$key" ]; then cat "$store/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
              erase) key=$(cat); rm -f "$store/$key" ;;
              *) exit 2 ;;
            esac
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"credsStore":"fake"}""");

        var creds = Credentials();
        Assert.Null(creds.Get("r.io"));
        creds.Store("r.io", new RegistryCredentials("alice", "pw"));
        Assert.True(File.Exists(Path.Combine(store, "r.io")));
        var config = File.ReadAllText(Path.Combine(_dir, "config.json"));
        Assert.DoesNotContain("pw", config, StringComparison.Ordinal);
        Assert.Equal(new RegistryCredentials("alice", "pw"), creds.Get("r.io"));
        Assert.True(creds.Erase("r.io"));
        Assert.False(File.Exists(Path.Combine(store, "r.io")));
        Assert.Null(creds.Get("r.io"));

        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"credHelpers":{"r.io":"missing"}}""");
        var e = Assert.Throws<CliException>(() => Credentials().Get("r.io"));
        Assert.Contains("docker-credential-missing", e.Message, StringComparison.Ordinal);
    }
}
