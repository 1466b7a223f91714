using Wharf.Oci.Image;
using Wharf.Snapshots;

namespace Wharf.Engine.Images;

/// <summary>
/// What the container side needs from the image side: name → image, and a writable root filesystem
/// on top of an image's layers. Implemented by the image service.
/// </summary>
public interface IImageResolver
{
    /// <summary>Resolves a reference as Docker does (name, name:tag, name@digest, name:tag@digest,
    /// full or short ID, sha256:ID). Throws NotFound "No such image: &lt;familiar ref&gt;".</summary>
    ResolvedImage Resolve(string reference);

    /// <summary>Creates the container's writable snapshot over the image's layers and returns the mounts
    /// that make its root filesystem. Idempotent for the same container id.</summary>
    IReadOnlyList<Mount> PrepareContainerRootfs(string containerId, string imageId);

    /// <summary>Returns the mounts of an existing container snapshot (after a daemon restart).</summary>
    IReadOnlyList<Mount> ContainerRootfsMounts(string containerId);

    /// <summary>Deletes the container's writable snapshot. Idempotent.</summary>
    void RemoveContainerRootfs(string containerId);
}

/// <param name="Id">"sha256:&lt;hex&gt;" digest of the config blob.</param>
/// <param name="Config">The parsed config blob.</param>
public sealed record ResolvedImage(string Id, ImageConfigFile Config);
