using System.Text.Json;

namespace Wharf.Oci.Image;

/// <summary>What a manifest document is: its media type, or why it cannot be told (<see cref="Error"/>).</summary>
public readonly record struct ManifestKind(string? MediaType, string? Error)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public bool IsManifest => MediaTypes.IsManifest(MediaType);

    /// <summary>
    /// The one rule for telling an image manifest from an index, shared by the registry client (a pulled document)
    /// and the registry server (a pushed one): the document's own <c>mediaType</c>, else a manifest or index
    /// <c>Content-Type</c> it came with, else its fields (<c>manifests</c> ⇒ OCI index, <c>config</c>/<c>layers</c>
    /// ⇒ OCI manifest; OCI lets both leave <c>mediaType</c> out). Refused, with <see cref="Error"/> set: a document
    /// with both <c>manifests</c> and <c>layers</c>/<c>config</c>, or whose <c>mediaType</c> disagrees with a manifest
    /// or index <c>Content-Type</c> (the ambiguity of CVE-2021-41190). <see cref="MediaType"/> may still be a type
    /// that is neither (schema 1, an unknown one): callers refuse those in their own words.
    /// </summary>
    public static ManifestKind Of(JsonElement root, string? contentType)
    {
        if (root.ValueKind != JsonValueKind.Object) return new(null, "not a JSON object");
        var declared = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
        var header = contentType?.Split(';')[0].Trim();
        bool typedHeader = MediaTypes.IsIndex(header) || MediaTypes.IsManifest(header);
        bool hasManifests = root.TryGetProperty("manifests", out _);
        bool hasLayers = root.TryGetProperty("layers", out _) || root.TryGetProperty("config", out _);
        if (hasManifests && hasLayers) return new(null, "has both \"manifests\" and \"layers\"/\"config\"");
        if (declared is not null && typedHeader && header != declared)
            return new(null, $"mediaType {declared} does not match Content-Type {header}");
        var mediaType = declared ?? (typedHeader ? header
            : hasManifests ? MediaTypes.OciIndex
            : hasLayers ? MediaTypes.OciManifest
            : null);
        if (MediaTypes.IsIndex(mediaType) && hasLayers) return new(null, "an index has \"layers\" or \"config\"");
        if (MediaTypes.IsManifest(mediaType) && hasManifests) return new(null, "a manifest has \"manifests\"");
        return new(mediaType, null);
    }
}
