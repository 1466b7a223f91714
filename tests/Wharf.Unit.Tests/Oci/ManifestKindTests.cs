using System.Text.Json;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Unit.Tests.Oci;

/// <summary>The one manifest-vs-index rule the registry client and server share.</summary>
public sealed class ManifestKindTests
{
    private static ManifestKind Of(string json, string? contentType = null)
    {
        using var doc = JsonDocument.Parse(json);
        return ManifestKind.Of(doc.RootElement.Clone(), contentType);
    }

    [Theory]
    [InlineData("""{"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}""", null, MediaTypes.DockerManifestList)]
    [InlineData("""{"manifests":[]}""", null, MediaTypes.OciIndex)]
    [InlineData("""{"config":{},"layers":[]}""", null, MediaTypes.OciManifest)]
    [InlineData("""{"config":{}}""", MediaTypes.DockerManifest + "; charset=utf-8", MediaTypes.DockerManifest)]
    [InlineData("""{"manifests":[]}""", "application/json", MediaTypes.OciIndex)]
    [InlineData("""{"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{}}""", "application/octet-stream", MediaTypes.OciManifest)]
    [InlineData("""{"schemaVersion":2}""", null, null)]
    public void The_media_type_comes_from_the_document_then_the_header_then_the_fields(string json, string? contentType, string? expected)
    {
        var kind = Of(json, contentType);
        Assert.Null(kind.Error);
        Assert.Equal(expected, kind.MediaType);
    }

    [Theory]
    [InlineData("""{"manifests":[],"layers":[]}""", null)]
    [InlineData("""{"manifests":[],"config":{}}""", null)]
    [InlineData("""{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""", MediaTypes.OciManifest)]
    [InlineData("""{"mediaType":"application/vnd.oci.image.index.v1+json","config":{}}""", null)]
    [InlineData("""{"config":{}}""", MediaTypes.OciIndex)]
    [InlineData("""[]""", null)]
    public void Ambiguous_or_contradictory_documents_are_refused(string json, string? contentType)
    {
        var kind = Of(json, contentType);
        Assert.NotNull(kind.Error);
        Assert.False(kind.IsIndex || kind.IsManifest);
    }
}
