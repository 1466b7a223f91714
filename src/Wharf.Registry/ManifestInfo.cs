using System.Text.Json;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Registry;

/// <summary>A reference a manifest makes: a descriptor's digest, and whether it is a blob or a child manifest.</summary>
public sealed record ManifestReference(Digest Digest, bool IsManifest, bool Foreign);

/// <summary>
/// What the registry needs to know of a pushed manifest (OCI image manifest or index, Docker schema2 manifest or
/// manifest list): its media type, what it references, its subject and the fields of its referrer descriptor.
/// Parsed from the raw bytes with JsonDocument so unknown fields survive untouched (the stored bytes are the pushed ones).
/// </summary>
public sealed class ManifestInfo
{
    public required string MediaType { get; init; }
    public required IReadOnlyList<ManifestReference> References { get; init; }
    public Digest? Subject { get; init; }
    public string? ArtifactType { get; init; }
    public string? AnnotationsJson { get; init; }

    /// <summary>Parses a manifest; MANIFEST_INVALID when it is not one of the four kinds or disagrees with its Content-Type.</summary>
    public static ManifestInfo Parse(ReadOnlySpan<byte> bytes, string? contentType)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.ToArray());
        }
        catch (JsonException ex)
        {
            throw Invalid("invalid JSON: " + ex.Message);
        }
        using (doc)
        {
            var root = doc.RootElement;
            // The manifest-vs-index rule is the registry client's too (one rule, in Wharf.Oci).
            var kind = ManifestKind.Of(root, contentType);
            if (kind.Error is { } error) throw Invalid(error);
            var mediaType = kind.MediaType;
            if (!MediaTypes.IsManifest(mediaType) && !MediaTypes.IsIndex(mediaType))
                throw Invalid($"unsupported manifest media type {mediaType}");
            if (!root.TryGetProperty("schemaVersion", out var sv) || sv.ValueKind != JsonValueKind.Number || sv.GetInt32() != 2)
                throw Invalid("schemaVersion must be 2");

            var refs = new List<ManifestReference>();
            string? artifactType = root.TryGetProperty("artifactType", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
            if (MediaTypes.IsManifest(mediaType))
            {
                if (!root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object)
                    throw Invalid("manifest has no config");
                var cfg = ParseDescriptor(config, false);
                refs.Add(cfg.Ref);
                artifactType ??= cfg.MediaType;
                if (root.TryGetProperty("layers", out var layers))
                {
                    if (layers.ValueKind != JsonValueKind.Array) throw Invalid("layers is not an array");
                    foreach (var l in layers.EnumerateArray()) refs.Add(ParseDescriptor(l, false).Ref);
                }
            }
            else
            {
                if (!root.TryGetProperty("manifests", out var ms) || ms.ValueKind != JsonValueKind.Array)
                    throw Invalid("index has no manifests array");
                foreach (var m in ms.EnumerateArray()) refs.Add(ParseDescriptor(m, true).Ref);
            }
            Digest? subject = null;
            if (root.TryGetProperty("subject", out var subj) && subj.ValueKind == JsonValueKind.Object)
                subject = ParseDescriptor(subj, true).Ref.Digest;
            string? annotations = root.TryGetProperty("annotations", out var ann) && ann.ValueKind == JsonValueKind.Object ? ann.GetRawText() : null;
            return new ManifestInfo { MediaType = mediaType!, References = refs, Subject = subject, ArtifactType = artifactType, AnnotationsJson = annotations };
        }
    }

    private static (ManifestReference Ref, string? MediaType) ParseDescriptor(JsonElement e, bool isManifest)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Invalid("descriptor is not an object");
        var ds = e.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (!Digest.TryParse(ds, out var digest)) throw Invalid($"invalid descriptor digest {ds}");
        if (!e.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number || size.GetInt64() < 0)
            throw Invalid($"descriptor {ds} has no valid size");
        var mt = e.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        // Foreign (non-distributable) layers carry URLs and need not be in the registry, as distribution allows.
        var foreign = e.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0;
        return (new ManifestReference(digest, isManifest, foreign), mt);
    }

    private static RegistryError Invalid(string detail) => new("MANIFEST_INVALID", "manifest invalid", detail);
}
