using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>A port of a listed container (ContainerSummary.Ports).</summary>
public sealed class Port
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IP { get; set; }
    public int PrivatePort { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int PublicPort { get; set; }
    public string Type { get; set; } = "tcp";
}
