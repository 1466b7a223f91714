namespace Wharf.Api.Containers;

/// <summary>Answer of <c>POST /containers/prune</c>. ContainersDeleted is null (not []) when nothing went, as in Docker.</summary>
public sealed class ContainerPruneResponse
{
    public List<string>? ContainersDeleted { get; set; }
    public ulong SpaceReclaimed { get; set; }
}
