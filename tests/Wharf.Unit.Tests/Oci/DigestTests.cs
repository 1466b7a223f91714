using System.Text;
using System.Text.Json;
using Wharf.Core;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Unit.Tests.Oci;

public sealed class DigestTests
{
    [Fact]
    public void Parses_and_formats_sha256()
    {
        var d = Digest.FromBytes("hello"u8);
        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", d.ToString());
        Assert.Equal(d, Digest.Parse(d.ToString()));
        Assert.Equal(d, Digest.FromHex(d.Hex));
        Assert.Equal(d, Digest.FromStream(new MemoryStream(Encoding.ASCII.GetBytes("hello"))));
    }

    [Theory]
    [InlineData("sha256:../../x")]
    [InlineData("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824")]
    [InlineData("sha256:2cf24dba")]
    [InlineData("sha256:")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("md5:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("")]
    public void Rejects_anything_that_could_become_a_bad_path(string value)
    {
        var e = Assert.Throws<WharfException>(() => Digest.Parse(value));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.False(Digest.TryParse(value, out _));
    }

    [Fact]
    public void Manifest_round_trips_through_the_source_generated_context()
    {
        var m = new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = "sha256:" + new string('a', 64), Size = 10 },
            Layers = [new Descriptor { MediaType = MediaTypes.DockerLayerGzip, Digest = "sha256:" + new string('b', 64), Size = 20 }],
        };
        var json = JsonSerializer.Serialize(m, OciJsonContext.Default.ImageManifest);
        Assert.Contains("\"schemaVersion\":2", json, StringComparison.Ordinal);
        Assert.DoesNotContain("annotations", json, StringComparison.Ordinal);
        Assert.DoesNotContain("manifests", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, OciJsonContext.Default.ImageManifest)!;
        Assert.Equal(m.Config, back.Config);
        Assert.Equal(m.Layers[0], back.Layers[0]);
        Assert.True(MediaTypes.IsManifest(back.MediaType));
        Assert.True(MediaTypes.IsLayer(back.Layers[0].MediaType));

        var config = JsonSerializer.Deserialize("""{"architecture":"arm64","os":"linux","config":{"Cmd":["sh"],"ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:abc"]}}""",
            OciJsonContext.Default.ImageConfigFile)!;
        Assert.Equal("arm64", config.Architecture);
        Assert.Equal(["sh"], config.Config!.Cmd!);
        Assert.True(config.Config.ExposedPorts!.ContainsKey("80/tcp"));
    }
}
