using System.Text.Json;
using Wharf.Core;
using Wharf.Oci;
using Wharf.Oci.Image;

namespace Wharf.Distribution;

/// <summary>A manifest or index as fetched: exact bytes, media type, digest, and the parsed form.</summary>
internal sealed record ManifestDocument(byte[] Bytes, string MediaType, Digest Digest, ImageManifest? Manifest, ImageIndex? Index)
{
    /// <summary>containerd's MaxManifestSize (4*1048*1048, sic).</summary>
    public const int MaxSize = 4 * 1048 * 1048;

    public static readonly string Accept = string.Join(", ",
        MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest);

    /// <summary>
    /// Parses <paramref name="bytes"/>, telling manifest and index apart by <see cref="ManifestKind.Of"/> (which
    /// refuses ambiguous documents: CVE-2021-41190).
    /// </summary>
    public static ManifestDocument Parse(byte[] bytes, string? contentType)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw WharfException.Invalid("invalid manifest: " + e.Message);
        }
        var kind = ManifestKind.Of(root, contentType);
        if (kind.Error is { } error) throw WharfException.Invalid("invalid manifest: " + error);
        var mediaType = kind.MediaType ?? MediaTypes.OciManifest;
        var digest = Digest.FromBytes(bytes);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = root.Deserialize(OciJsonContext.Default.ImageIndex) ?? throw WharfException.Invalid("invalid index");
            return new ManifestDocument(bytes, mediaType, digest, null, index);
        }
        if (MediaTypes.IsManifest(mediaType))
        {
            var manifest = root.Deserialize(OciJsonContext.Default.ImageManifest) ?? throw WharfException.Invalid("invalid manifest");
            if (manifest.SchemaVersion != 2) throw WharfException.Invalid($"unsupported manifest schema version {manifest.SchemaVersion}");
            Digest.Parse(manifest.Config.Digest);
            foreach (var l in manifest.Layers) Digest.Parse(l.Digest);
            return new ManifestDocument(bytes, mediaType, digest, manifest, null);
        }
        if (mediaType is "application/vnd.docker.distribution.manifest.v1+json" or "application/vnd.docker.distribution.manifest.v1+prettyjws")
            throw WharfException.Invalid("Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed");
        throw WharfException.Invalid($"unsupported manifest media type {mediaType}");
    }
}
