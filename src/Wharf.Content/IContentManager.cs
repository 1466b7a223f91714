using Wharf.Oci;

namespace Wharf.Content;

/// <summary>Administrative side of the content store (info, listing, deletion for GC).</summary>
public interface IContentManager
{
    /// <summary>Info of a committed blob, or null when absent.</summary>
    ContentInfo? Info(Digest digest);

    /// <summary>Every committed blob, in no particular order.</summary>
    IEnumerable<ContentInfo> Walk();

    /// <summary>Deletes a blob. Returns false when it was not there.</summary>
    bool Delete(Digest digest);
}
