namespace Wharf.Api.Containers;

public sealed class VolumeOptions
{
    public bool NoCopy { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public DriverConfig? DriverConfig { get; set; }
    public string? Subpath { get; set; }
}
