using Wharf.Api.Build;

namespace Wharf.Unit.Tests.Build;

public sealed class BuildSecretsTests
{
    [Fact]
    public void Secrets_round_trip_through_the_header_byte_for_byte()
    {
        var secrets = new Dictionary<string, byte[]> { ["tok"] = "s3cret"u8.ToArray(), ["bin"] = [0, 255, 10, 13] };

        var decoded = BuildSecrets.Decode(BuildSecrets.Encode(secrets));

        Assert.Equal(secrets.Keys.Order(), decoded.Keys.Order());
        Assert.Equal(secrets["tok"], decoded["tok"]);
        Assert.Equal(secrets["bin"], decoded["bin"]);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("W10=")] // "[]": not an object
    [InlineData("eyIuLiI6IiJ9")] // {"..":""}: an id that is a dot name
    [InlineData("eyJhL2IiOiIifQ==")] // {"a/b":""}: an id with a separator
    [InlineData("eyJ0b2siOiIqKioifQ==")] // {"tok":"***"}: content not base64
    public void A_malformed_header_is_refused(string header) =>
        Assert.Throws<FormatException>(() => BuildSecrets.Decode(header));
}
