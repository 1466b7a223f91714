using Wharf.Distribution;

namespace Wharf.Unit.Tests.Distribution;

public sealed class WwwAuthenticateTests
{
    [Fact]
    public void Parses_Docker_Hub_bearer_challenge()
    {
        var c = Assert.Single(WwwAuthenticate.Parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\""));
        Assert.Equal("Bearer", c.Scheme);
        Assert.Equal("https://auth.docker.io/token", c["realm"]);
        Assert.Equal("registry.docker.io", c["service"]);
        Assert.Equal("repository:library/busybox:pull", c["scope"]);
    }

    [Fact]
    public void Parses_basic_challenge_tokens_escapes_and_several_challenges()
    {
        var list = WwwAuthenticate.Parse("Basic realm=\"Registry \\\"Realm\\\"\", Bearer realm=https://a/t , service=svc,error=\"insufficient_scope\"");
        Assert.Equal(2, list.Count);
        Assert.Equal("Basic", list[0].Scheme);
        Assert.Equal("Registry \"Realm\"", list[0]["REALM"]);
        Assert.Equal("Bearer", list[1].Scheme);
        Assert.Equal("svc", list[1]["service"]);
        Assert.Equal("insufficient_scope", list[1]["error"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_headers_have_no_challenge(string? header) => Assert.Empty(WwwAuthenticate.Parse(header));

    [Fact]
    public void A_scheme_without_parameters_is_a_challenge()
    {
        var c = Assert.Single(WwwAuthenticate.Parse("Negotiate"));
        Assert.Equal("Negotiate", c.Scheme);
        Assert.Empty(c.Parameters);
    }
}
