using System.Text;

namespace Wharf.Registry.Tests;

/// <summary>The registry's parsers: routes, names and tags, Content-Range, manifests, listen addresses.</summary>
public sealed class ParserTests
{
    [Theory]
    [InlineData("a/b/tags/list", "a/b", "tags", "")]
    [InlineData("a/manifests/latest", "a", "manifest", "latest")]
    [InlineData("a/b/c/blobs/uploads/", "a/b/c", "upload", "")]
    [InlineData("a/blobs/uploads/0123", "a", "upload", "0123")]
    [InlineData("a/blobs/sha256:ab", "a", "blob", "sha256:ab")]
    [InlineData("x/referrers/sha256:cd", "x", "referrers", "sha256:cd")]
    [InlineData("blobs/blobs/uploads", "blobs", "upload", "")]
    public void Route_SplitsNameKindAndArgument(string path, string name, string kind, string arg) =>
        Assert.Equal((name, kind, arg), RegistryHandler.Route(path));

    [Theory]
    [InlineData("")]
    [InlineData("a/unknown/x")]
    [InlineData("a/manifests/")]
    public void Route_RejectsOtherPaths(string path) => Assert.Null(RegistryHandler.Route(path));

    [Theory]
    [InlineData("library/busybox", true)]
    [InlineData("a.b_c__d-e--f/g", true)]
    [InlineData("Upper", false)]
    [InlineData("a//b", false)]
    [InlineData("a/_layers", false)]
    [InlineData("-a", false)]
    [InlineData("a/../b", false)]
    public void Names(string name, bool valid) => Assert.Equal(valid, RegistryStorage.IsValidName(name));

    [Theory]
    [InlineData("latest", true)]
    [InlineData("_x.Y-1", true)]
    [InlineData(".hidden", false)]
    [InlineData("a#b", false)]
    public void Tags(string tag, bool valid) => Assert.Equal(valid, RegistryStorage.IsValidTag(tag));

    [Theory]
    [InlineData("0-99", 0, 99)]
    [InlineData("100-100", 100, 100)]
    [InlineData("bytes 5-9/10", 5, 9)]
    public void ContentRange_Parses(string value, long start, long end) => Assert.Equal((start, end), RegistryHandler.ParseContentRange(value));

    [Theory]
    [InlineData("9-1")]
    [InlineData("-5")]
    [InlineData("a-b")]
    [InlineData("1-2-3")]
    public void ContentRange_BadIsRangeInvalid(string value) =>
        Assert.Equal("RANGE_INVALID", Assert.Throws<RegistryError>(() => RegistryHandler.ParseContentRange(value)).Code);

    private static string D(char c) => "sha256:" + new string(c, 64);

    [Fact]
    public void Manifest_ReferencesConfigLayersSubject()
    {
        var json = $"{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"application/x\",\"digest\":\"{D('a')}\",\"size\":1}},\"layers\":[{{\"digest\":\"{D('b')}\",\"size\":2}},{{\"digest\":\"{D('c')}\",\"size\":3,\"urls\":[\"http://x\"]}}],\"subject\":{{\"digest\":\"{D('d')}\",\"size\":4}}}}";
        var m = ManifestInfo.Parse(Encoding.UTF8.GetBytes(json), null);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", m.MediaType);
        Assert.Equal(3, m.References.Count);
        Assert.True(m.References[2].Foreign);
        Assert.Equal(D('d'), m.Subject!.ToString());
        Assert.Equal("application/x", m.ArtifactType);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":1,\"manifests\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"digest\":\"sha256:../../x\",\"size\":1}]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:aa\",\"size\":1}}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/unknown\",\"config\":{}}")]
    public void Manifest_InvalidIsManifestInvalid(string json) =>
        Assert.Equal("MANIFEST_INVALID", Assert.Throws<RegistryError>(() => ManifestInfo.Parse(Encoding.UTF8.GetBytes(json), null)).Code);

    [Fact]
    public void Manifest_MediaTypeMustMatchContentType() =>
        Assert.Throws<RegistryError>(() => ManifestInfo.Parse(Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"), "application/vnd.docker.distribution.manifest.v2+json"));

    [Theory]
    [InlineData("127.0.0.1:5000", "127.0.0.1", 5000)]
    [InlineData(":5000", "0.0.0.0", 5000)]
    [InlineData("[::1]:0", "::1", 0)]
    public void Address_Parses(string addr, string ip, int port)
    {
        var (a, p) = RegistryServer.ParseAddress(addr);
        Assert.Equal((ip, port), (a.ToString(), p));
    }

    [Theory]
    [InlineData("5000")]
    [InlineData("host.example:5000")]
    [InlineData("127.0.0.1:99999")]
    public void Address_Rejects(string addr) => Assert.Throws<ArgumentException>(() => RegistryServer.ParseAddress(addr));

    [Theory]
    [InlineData("BLOB_UNKNOWN", 404)]
    [InlineData("DIGEST_INVALID", 400)]
    [InlineData("RANGE_INVALID", 416)]
    [InlineData("UNAUTHORIZED", 401)]
    [InlineData("UNSUPPORTED", 405)]
    [InlineData("MANIFEST_BLOB_UNKNOWN", 400)]
    public void ErrorCodes_MapToDistributionStatuses(string code, int status) => Assert.Equal(status, RegistryError.StatusOf(code));
}

public sealed class RangeTests
{
    [Theory]
    [InlineData("", 100, 0, 100, 200)]
    [InlineData("bytes=0-9", 100, 0, 10, 206)]
    [InlineData("bytes=90-", 100, 90, 10, 206)]
    [InlineData("bytes=90-500", 100, 90, 10, 206)]
    [InlineData("bytes=-5", 100, 95, 5, 206)]
    [InlineData("bytes=-500", 100, 0, 100, 206)]
    [InlineData("bytes=100-", 100, 0, 0, 416)]
    [InlineData("bytes=-0", 100, 0, 0, 416)]
    [InlineData("bytes=0-1,5-6", 100, 0, 100, 200)]
    [InlineData("bytes=9-1", 100, 0, 100, 200)]
    [InlineData("items=0-1", 100, 0, 100, 200)]
    public void ParseRange(string header, long length, long start, long count, int status) =>
        Assert.Equal((start, count, status), RegistryHandler.ParseRange(header, length));
}
