namespace Wharf.Engine.Images;

/// <summary>
/// Which containers use an image, for `docker rmi` conflicts. Implemented by the container service and
/// given to <see cref="ImageService.Usage"/> after both are built (each depends on the other).
/// </summary>
public interface IImageUsage
{
    /// <summary>Containers whose image is <paramref name="imageId"/> ("sha256:…"), with their running state.</summary>
    IReadOnlyList<ImageUser> ContainersUsing(string imageId);
}

/// <param name="ContainerId">Full container id.</param>
/// <param name="Running">True while the container is running (or paused/restarting).</param>
public sealed record ImageUser(string ContainerId, bool Running);
