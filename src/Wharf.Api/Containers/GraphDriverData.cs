namespace Wharf.Api.Containers;

public sealed class GraphDriverData
{
    public string Name { get; set; } = "";
    public Dictionary<string, string>? Data { get; set; }
}
