using Wharf.Content;
using Wharf.Images.Layers;
using Wharf.Oci;
using Wharf.Snapshots;

namespace Wharf.Images;

/// <summary>What unpacking one layer blob produced.</summary>
/// <param name="DiffId">sha256 of the uncompressed tar.</param>
/// <param name="ChainId">The snapshot key (for this layer on top of its parents).</param>
/// <param name="Size">Unpacked bytes.</param>
/// <param name="Compression">How the blob was compressed.</param>
public sealed record UnpackedLayer(Digest DiffId, string ChainId, long Size, CompressionKind Compression);

/// <summary>Unpacks layer blobs into committed snapshots: temp dir → secure extraction → rename into place.</summary>
public static class LayerUnpacker
{
    /// <summary>
    /// Extracts the blob into a new snapshot whose chain ID follows from <paramref name="parentChainId"/> and the
    /// computed diffID. On any failure the temp dir is removed and nothing is published.
    /// When <paramref name="expectedDiffId"/> is given and its snapshot exists, nothing is extracted.
    /// </summary>
    public static UnpackedLayer Unpack(IContentProvider content, OverlaySnapshotter snapshots, Digest blob, string? parentChainId,
        Digest? expectedDiffId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(snapshots);
        if (expectedDiffId is not null)
        {
            var known = ChainOf(parentChainId, expectedDiffId);
            if (snapshots.LayerExists(known)) return new UnpackedLayer(expectedDiffId, known, 0, CompressionKind.None);
        }
        var temp = snapshots.PrepareLayerDirectory();
        try
        {
            using var raw = content.OpenRead(blob);
            using var tar = LayerCompression.OpenDecompressed(raw, out var kind);
            using var hashing = new HashingReadStream(tar, leaveOpen: true);
            var result = LayerApplier.Apply(hashing, temp, cancellationToken);
            var diffId = hashing.Finish();
            if (expectedDiffId is not null && diffId != expectedDiffId)
                throw new Wharf.Core.WharfException(Wharf.Core.ErrorKind.InvalidArgument,
                    $"layers from manifest don't match image configuration: layer {blob} has diffID {diffId}, expected {expectedDiffId}");
            var chain = ChainOf(parentChainId, diffId);
            snapshots.CommitLayer(temp, chain);
            return new UnpackedLayer(diffId, chain, result.Size, kind);
        }
        catch
        {
            snapshots.AbortLayer(temp);
            throw;
        }
    }

    private static string ChainOf(string? parent, Digest diffId) =>
        parent is null ? diffId.ToString() : ChainId.Compute([parent, diffId.ToString()])[1];
}
