using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>A mount as inspect and list report it.</summary>
public sealed class MountPoint
{
    public string Type { get; set; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; set; }
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Driver { get; set; }
    public string Mode { get; set; } = "";
    public bool RW { get; set; }
    public string Propagation { get; set; } = "";
}
