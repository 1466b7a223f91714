using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>A new image on top of a local one: what `docker commit` and each Dockerfile step produce.</summary>
/// <param name="ParentId">The local image this one extends ("sha256:…"), or null for an image from scratch.</param>
/// <param name="Config">The run config of the new image (already merged and with --change applied).</param>
/// <param name="LayerTar">An uncompressed layer tar (overlay whiteouts as .wh. entries), or null for a step that
/// only changes the config (its history entry is marked empty_layer).</param>
/// <param name="CreatedBy">The history entry's created_by (a Dockerfile step, or the container's command).</param>
/// <param name="Comment">The image's and the history entry's comment (`commit -m`).</param>
/// <param name="Author">The image's and the history entry's author (`commit -a`).</param>
/// <param name="ContainerConfig">Docker's legacy container_config field, if the caller has one.</param>
public sealed record ImageCommitRequest(
    string? ParentId,
    ImageRunConfig Config,
    Stream? LayerTar,
    string? CreatedBy = null,
    string? Comment = null,
    string? Author = null,
    ImageRunConfig? ContainerConfig = null);
