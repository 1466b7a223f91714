using Wharf.Oci;

namespace Wharf.Content;

/// <summary>Write side of the content store: verified, crash-safe ingest.</summary>
public interface IIngester
{
    /// <summary>
    /// Copies <paramref name="data"/> into a temp file while hashing, fsyncs it, checks the expected digest and
    /// size when given (FailedPrecondition on mismatch) and renames it into place. A blob that already
    /// exists is not an error. Returns the committed blob's info.
    /// </summary>
    ContentInfo Ingest(Stream data, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default);

    /// <summary>Ingests an in-memory blob (configs, manifests).</summary>
    ContentInfo Write(ReadOnlySpan<byte> data, Digest? expected = null);
}
