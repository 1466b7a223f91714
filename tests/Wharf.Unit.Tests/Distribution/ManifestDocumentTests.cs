using System.Text;
using Wharf.Core;
using Wharf.Distribution;
using Wharf.Oci;

namespace Wharf.Unit.Tests.Distribution;

public sealed class ManifestDocumentTests
{
    private static readonly string D = "sha256:" + new string('a', 64);
    private static readonly string Manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DockerManifest + "\",\"config\":{\"mediaType\":\"" + MediaTypes.DockerConfig +
        "\",\"digest\":\"" + D + "\",\"size\":10},\"layers\":[{\"mediaType\":\"" + MediaTypes.DockerLayerGzip + "\",\"digest\":\"" + D + "\",\"size\":3}]}";

    private static readonly string Index =
        "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":[{\"mediaType\":\"" + MediaTypes.OciManifest +
        "\",\"digest\":\"" + D + "\",\"size\":10,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

    [Fact]
    public void Tells_manifests_and_indexes_apart_and_digests_the_exact_bytes()
    {
        var bytes = Encoding.UTF8.GetBytes(Manifest);
        var m = ManifestDocument.Parse(bytes, MediaTypes.DockerManifest);
        Assert.NotNull(m.Manifest);
        Assert.Null(m.Index);
        Assert.Equal(Digest.FromBytes(bytes), m.Digest);
        var i = ManifestDocument.Parse(Encoding.UTF8.GetBytes(Index), null);
        Assert.NotNull(i.Index);
        Assert.Equal(MediaTypes.OciIndex, i.MediaType);
    }

    [Fact]
    public void Ambiguous_documents_are_refused_CVE_2021_41190()
    {
        var both = Manifest.TrimEnd('}') + ",\"manifests\":[]}";
        Assert.Throws<WharfException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes(both), MediaTypes.DockerManifest));
        // A manifest served as an index (or the reverse) is refused too.
        Assert.Throws<WharfException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes(Manifest), MediaTypes.OciIndex));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":1,\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\"}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:../../etc\"},\"layers\":[]}")]
    public void Malformed_or_unsupported_documents_are_invalid(string text)
    {
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes(text), null)).Kind);
    }
}
