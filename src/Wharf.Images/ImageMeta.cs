using System.Text.Json.Serialization;

namespace Wharf.Images;

/// <summary>
/// Local facts about one image that are not in its config blob, stored as
/// &lt;dataRoot&gt;/image/meta/&lt;hex&gt;.json. The file is written only after every blob and layer
/// snapshot it implies is durable, so an existing meta file means a complete image.
/// </summary>
public sealed record ImageMeta
{
    /// <summary>"sha256:&lt;hex&gt;" of the config blob.</summary>
    public required string Id { get; init; }
    /// <summary>The manifest blob stored for this image (what push and save use), if any.</summary>
    public string? ManifestDigest { get; init; }
    /// <summary>Layer blob digests, bottom first, as in the manifest.</summary>
    public IReadOnlyList<string> LayerBlobs { get; init; } = [];
    /// <summary>The image this one was built or committed from (local only, as Docker's parent).</summary>
    public string? Parent { get; init; }
    /// <summary>Unpacked size of all layers in bytes.</summary>
    public long Size { get; init; }
    public DateTimeOffset? LastTagTime { get; init; }
    /// <summary>When this engine first stored the image.</summary>
    public DateTimeOffset Added { get; init; }
}

/// <summary>The names file, &lt;dataRoot&gt;/image/repositories.json: repository name → full reference → image id
/// (the shape of Docker's reference store, with normalized names).</summary>
internal sealed record RepositoriesFile
{
    public Dictionary<string, Dictionary<string, string>> Repositories { get; init; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageMeta))]
[JsonSerializable(typeof(RepositoriesFile))]
internal sealed partial class ImagesJsonContext : JsonSerializerContext;
