using System.Text.Json.Serialization;

namespace Wharf.Oci.Image;

/// <summary>An image index (image-index.md) or Docker manifest list.</summary>
public sealed record ImageIndex
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
    [JsonPropertyName("manifests")] public IReadOnlyList<Descriptor> Manifests { get; init; } = [];
    [JsonPropertyName("subject")] public Descriptor? Subject { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    /// <summary>Present only to detect ambiguous documents; a valid index has none.</summary>
    [JsonPropertyName("layers")] public IReadOnlyList<Descriptor>? Layers { get; init; }
}
