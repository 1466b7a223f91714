using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>The HostConfig excerpt of a ContainerSummary.</summary>
public sealed class SummaryHostConfig
{
    public string NetworkMode { get; set; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Annotations { get; set; }
}
