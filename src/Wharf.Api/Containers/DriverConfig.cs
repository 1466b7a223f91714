namespace Wharf.Api.Containers;

public sealed class DriverConfig
{
    public string Name { get; set; } = "";
    public Dictionary<string, string>? Options { get; set; }
}
