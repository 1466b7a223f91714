using Wharf.Content;
using Wharf.Images.Layers;
using Wharf.Oci;
using Wharf.Snapshots;
using Wharf.Core;

namespace Wharf.Images;

/// <summary>What unpacking one layer blob produced.</summary>
/// <param name="DiffId">sha256 of the uncompressed tar.</param>
/// <param name="ChainId">The snapshot key (for this layer on top of its parents).</param>
/// <param name="Size">Unpacked bytes.</param>
/// <param name="Compression">How the blob was compressed.</param>
public sealed record UnpackedLayer(Digest DiffId, string ChainId, long Size, CompressionKind Compression);

/// <summary>A layer extracted into a temp dir, not yet published (see <see cref="LayerUnpacker.Extract"/>).</summary>
public sealed record ExtractedLayer(string TempDirectory, Digest DiffId, long Size, CompressionKind Compression);

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
        using var raw = content.OpenRead(blob);
        var extracted = Extract(raw, snapshots, cancellationToken);
        return Commit(snapshots, extracted, blob, parentChainId, expectedDiffId);
    }

    /// <summary>
    /// Extracts a layer stream (compressed or not) into a fresh temp dir without publishing it, computing its diffID.
    /// The chain ID is not needed yet, so a pull can extract a layer while it downloads, before its parent is done;
    /// finish with <see cref="Commit"/> or <see cref="Abort"/>. On failure the temp dir is already removed.
    /// </summary>
    public static ExtractedLayer Extract(Stream blobStream, OverlaySnapshotter snapshots, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blobStream);
        ArgumentNullException.ThrowIfNull(snapshots);
        var temp = snapshots.PrepareLayerDirectory();
        try
        {
            using var tar = LayerCompression.OpenDecompressed(new NonClosingStream(blobStream), out var kind);
            using var hashing = new HashingReadStream(tar, leaveOpen: true);
            var result = LayerApplier.Apply(hashing, temp, cancellationToken);
            return new ExtractedLayer(temp, hashing.Finish(), result.Size, kind);
        }
        catch
        {
            snapshots.AbortLayer(temp);
            throw;
        }
    }

    /// <summary>Checks an extracted layer's diffID against <paramref name="expectedDiffId"/> (when given) and publishes
    /// it under the chain ID that follows from <paramref name="parentChainId"/>; a mismatch removes it.</summary>
    public static UnpackedLayer Commit(OverlaySnapshotter snapshots, ExtractedLayer extracted, Digest blob, string? parentChainId, Digest? expectedDiffId)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(extracted);
        if (expectedDiffId is not null && extracted.DiffId != expectedDiffId)
        {
            snapshots.AbortLayer(extracted.TempDirectory);
            throw new Wharf.Core.WharfException(Wharf.Core.ErrorKind.InvalidArgument,
                $"layers from manifest don't match image configuration: layer {blob} has diffID {extracted.DiffId}, expected {expectedDiffId}");
        }
        var chain = ChainOf(parentChainId, extracted.DiffId);
        snapshots.CommitLayer(extracted.TempDirectory, chain);
        return new UnpackedLayer(extracted.DiffId, chain, extracted.Size, extracted.Compression);
    }

    public static void Abort(OverlaySnapshotter snapshots, ExtractedLayer extracted)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(extracted);
        snapshots.AbortLayer(extracted.TempDirectory);
    }

    /// <summary>The decompressor owns what it reads from; the caller owns the blob stream.</summary>
    private sealed class NonClosingStream(Stream inner) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
    }

    private static string ChainOf(string? parent, Digest diffId) =>
        parent is null ? diffId.ToString() : ChainId.Compute([parent, diffId.ToString()])[1];
}
