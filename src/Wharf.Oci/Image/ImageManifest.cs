using System.Text.Json.Serialization;

namespace Wharf.Oci.Image;

/// <summary>An image manifest: OCI (manifest.md) or Docker schema2 — the same shape, told apart by
/// <see cref="MediaType"/>. A document carrying "manifests" is an index, never a manifest (CVE-2021-41190).</summary>
public sealed record ImageManifest
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
    [JsonPropertyName("config")] public Descriptor Config { get; init; } = new();
    [JsonPropertyName("layers")] public IReadOnlyList<Descriptor> Layers { get; init; } = [];
    [JsonPropertyName("subject")] public Descriptor? Subject { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    /// <summary>Present only to detect ambiguous documents; a valid manifest has none.</summary>
    [JsonPropertyName("manifests")] public IReadOnlyList<Descriptor>? Manifests { get; init; }
}
