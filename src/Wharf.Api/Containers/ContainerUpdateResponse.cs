namespace Wharf.Api.Containers;

/// <summary>Answer of <c>POST /containers/{id}/update</c>.</summary>
public sealed class ContainerUpdateResponse
{
    public List<string> Warnings { get; set; } = [];
}
