using System.Text.Json.Serialization;

namespace Wharf.Images.Archive;

/// <summary>One entry of a docker-archive's manifest.json (moby image/tarexport: manifestItem).</summary>
public sealed record ArchiveManifestItem
{
    public string Config { get; init; } = "";
    public IReadOnlyList<string>? RepoTags { get; init; }
    public IReadOnlyList<string> Layers { get; init; } = [];
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Parent { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, Wharf.Oci.Image.Descriptor>? LayerSources { get; init; }
}

/// <summary>The oci-layout file of an OCI image layout.</summary>
public sealed record OciLayoutFile
{
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; init; } = "1.0.0";
}

[JsonSerializable(typeof(List<ArchiveManifestItem>))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
internal sealed partial class ArchiveJsonContext : JsonSerializerContext;
