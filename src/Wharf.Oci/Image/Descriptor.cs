using System.Text.Json.Serialization;

namespace Wharf.Oci.Image;

/// <summary>A content descriptor (image-spec descriptor.md). <see cref="Digest"/> is kept as the wire
/// string; validate it with <see cref="Oci.Digest.Parse"/> before using it as a key or path.</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")] public string MediaType { get; init; } = "";
    [JsonPropertyName("digest")] public string Digest { get; init; } = "";
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("urls")] public IReadOnlyList<string>? Urls { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("platform")] public Platform? Platform { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
}
