namespace Wharf.Api.Networks;

public sealed class Ipam
{
    public string Driver { get; set; } = "default";
    public Dictionary<string, string>? Options { get; set; }
    /// <summary>Always an array on the wire (compose takes its length).</summary>
    public List<IpamConfig> Config { get; set; } = [];
}
