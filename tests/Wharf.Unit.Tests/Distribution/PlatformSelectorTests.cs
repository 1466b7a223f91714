using Wharf.Core;
using Wharf.Distribution;
using Wharf.Oci.Image;

namespace Wharf.Unit.Tests.Distribution;

public sealed class PlatformSelectorTests
{
    private static Descriptor Entry(string digestChar, string os, string arch, string? variant = null) => new()
    {
        MediaType = Wharf.Oci.MediaTypes.OciManifest,
        Digest = "sha256:" + new string(digestChar[0], 64),
        Size = 1,
        Platform = new Platform { Os = os, Architecture = arch, Variant = variant },
    };

    private static readonly ImageIndex Index = new()
    {
        Manifests =
        [
            Entry("0", "unknown", "unknown"),
            Entry("1", "linux", "arm", "v6"),
            Entry("2", "linux", "arm", "v7"),
            Entry("3", "linux", "arm64", "v8"),
            Entry("4", "linux", "amd64"),
            Entry("5", "windows", "amd64"),
        ],
    };

    [Theory]
    [InlineData("linux/amd64", '4')]
    [InlineData("linux/arm64", '3')]
    [InlineData("linux/arm64/v8", '3')]
    [InlineData("linux/arm", '2')]
    [InlineData("linux/arm/v6", '1')]
    [InlineData("windows/amd64", '5')]
    [InlineData("LINUX/x86_64", '4')]
    public void Selects_the_entry_for_the_requested_platform(string platform, char expected)
    {
        var chosen = PlatformSelector.Select(Index, PlatformSelector.Parse(platform));
        Assert.Equal("sha256:" + new string(expected, 64), chosen.Digest);
    }

    [Fact]
    public void No_matching_entry_is_not_found_with_Dockers_wording()
    {
        var e = Assert.Throws<WharfException>(() => PlatformSelector.Select(Index, PlatformSelector.Parse("linux/s390x")));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("no matching manifest for linux/s390x in the manifest list entries", e.Message);
    }

    [Fact]
    public void Attestation_entries_never_match_and_the_default_is_this_host()
    {
        Assert.False(PlatformSelector.Matches(PlatformSelector.Host, new Platform { Os = "unknown", Architecture = "unknown" }));
        Assert.Equal("linux", PlatformSelector.Host.Os);
        Assert.Equal(PlatformSelector.Host.Architecture, PlatformSelector.Parse("linux").Architecture);
    }

    [Theory]
    [InlineData("")]
    [InlineData("linux//amd64")]
    [InlineData("a/b/c/d")]
    public void Malformed_platforms_are_invalid(string platform)
    {
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => PlatformSelector.Parse(platform)).Kind);
    }
}
