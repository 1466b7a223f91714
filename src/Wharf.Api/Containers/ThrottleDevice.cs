namespace Wharf.Api.Containers;

public sealed class ThrottleDevice
{
    public string Path { get; set; } = "";
    public long Rate { get; set; }
}
