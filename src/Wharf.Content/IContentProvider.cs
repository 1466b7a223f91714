using Wharf.Oci;

namespace Wharf.Content;

/// <summary>Read side of the content store.</summary>
public interface IContentProvider
{
    bool Exists(Digest digest);

    /// <summary>Opens a committed blob for reading. NotFound when absent.</summary>
    Stream OpenRead(Digest digest);

    /// <summary>Reads a whole (small) blob such as a manifest or config. NotFound when absent.</summary>
    byte[] ReadAllBytes(Digest digest);
}
