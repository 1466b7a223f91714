namespace Wharf.Api.Images;

/// <summary>Answer of <c>POST /images/prune</c>. ImagesDeleted is null (not []) when nothing went, as in Docker.</summary>
public sealed class ImagePruneResponse
{
    public List<ImageDeleteResponseItem>? ImagesDeleted { get; set; }
    public ulong SpaceReclaimed { get; set; }
}
