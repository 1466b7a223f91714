namespace Wharf.Api.Containers;

public sealed class ContainerCreateResponse
{
    public string Id { get; set; } = "";
    /// <summary>Never null on the wire (Docker writes []).</summary>
    public List<string> Warnings { get; set; } = [];
}
