using System.Text;
using Wharf.Distribution;

namespace Wharf.Unit.Tests.Distribution;

public sealed class RegistryAuthTests
{
    private const string Json = "{\"username\":\"alice\",\"password\":\"s3cr?t>>\",\"serveraddress\":\"localhost:5000\"}";

    [Fact]
    public void X_Registry_Auth_decodes_both_base64_alphabets_with_or_without_padding()
    {
        var std = Convert.ToBase64String(Encoding.UTF8.GetBytes(Json));
        Assert.True(std.Contains('+') || std.Contains('/') || std.EndsWith('='), "the sample must exercise the alphabet difference: " + std);
        var url = std.Replace('+', '-').Replace('/', '_');
        foreach (var header in new[] { std, url, std.TrimEnd('='), url.TrimEnd('=') })
        {
            var auth = AuthConfig.DecodeHeader(header);
            Assert.Equal("alice", auth.Username);
            Assert.Equal("s3cr?t>>", auth.Password);
            Assert.Equal("localhost:5000", auth.ServerAddress);
            Assert.True(auth.HasCredentials);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("e30=")] // {} as the docker CLI sends for anonymous pulls
    [InlineData("e30")]
    [InlineData("!!not base64!!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    public void Empty_or_undecodable_headers_mean_anonymous(string? header)
    {
        Assert.False(AuthConfig.DecodeHeader(header).HasCredentials);
    }

    [Fact]
    public void The_auth_field_fills_in_username_and_password_and_names_are_case_insensitive()
    {
        var json = "{\"Auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pa:ss")) + "\",\"ServerAddress\":\"r.example\"}";
        var auth = AuthConfig.ParseJson(Encoding.UTF8.GetBytes(json))!;
        Assert.Equal("bob", auth.Username);
        Assert.Equal("pa:ss", auth.Password);
        Assert.Equal("r.example", auth.ServerAddress);
    }

    [Fact]
    public void Identity_and_registry_tokens_count_as_credentials()
    {
        Assert.True(AuthConfig.ParseJson("{\"identitytoken\":\"x\"}"u8)!.HasCredentials);
        Assert.True(AuthConfig.ParseJson("{\"registrytoken\":\"x\"}"u8)!.HasCredentials);
        Assert.Null(AuthConfig.ParseJson("[1]"u8));
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("", "docker.io")]
    [InlineData("localhost:5000", "localhost:5000")]
    [InlineData("http://127.0.0.1:5000/", "127.0.0.1:5000")]
    [InlineData("registry-1.docker.io", "docker.io")]
    public void Login_server_addresses_normalise_to_the_registry_domain(string address, string domain)
    {
        Assert.Equal(domain, RegistryClient.NormalizeServerAddress(address));
    }
}
