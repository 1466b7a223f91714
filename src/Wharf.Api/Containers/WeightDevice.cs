namespace Wharf.Api.Containers;

public sealed class WeightDevice
{
    public string Path { get; set; } = "";
    public int Weight { get; set; }
}
