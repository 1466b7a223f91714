using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>An image whose blobs are (mostly) already in the content store — what pull, load, build and commit produce.</summary>
/// <param name="ConfigJson">The exact config blob bytes (its digest becomes the image id).</param>
/// <param name="Layers">Layer descriptors, bottom first; their blobs must already be in the content store.</param>
/// <param name="ManifestJson">The manifest blob as received (pull/load); null to write a Docker schema2 manifest.</param>
/// <param name="Parent">Local parent image id (build/commit), or null.</param>
/// <param name="Size">Unpacked size when the caller measured it while unpacking (pull), else null to measure.</param>
public sealed record ImageRegistration(
    byte[] ConfigJson,
    IReadOnlyList<Descriptor> Layers,
    byte[]? ManifestJson = null,
    string? Parent = null,
    long? Size = null);
