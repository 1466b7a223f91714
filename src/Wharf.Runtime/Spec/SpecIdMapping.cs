using System.Text.Json.Serialization;

namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.uidMappings[]</c>/<c>gidMappings[]</c>.</summary>
public sealed record SpecIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; init; }
    [JsonPropertyName("hostID")]
    public uint HostId { get; init; }
    public uint Size { get; init; }
}
