namespace Wharf.Api.Containers;

/// <summary>Answer of <c>GET /containers/{id}/top</c>: the ps header and one row per container process.</summary>
public sealed class ContainerTopResponse
{
    public List<string> Titles { get; set; } = [];
    public List<List<string>> Processes { get; set; } = [];
}
