using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>Swagger "Mount": one entry of HostConfig.Mounts (<c>--mount</c>, Testcontainers).</summary>
public sealed class ContainerMount
{
    public string Target { get; set; } = "";
    public string Source { get; set; } = "";
    /// <summary>bind, volume, tmpfs, npipe, cluster, image.</summary>
    public string Type { get; set; } = "";
    public bool ReadOnly { get; set; }
    public string Consistency { get; set; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BindOptions? BindOptions { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public VolumeOptions? VolumeOptions { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public TmpfsOptions? TmpfsOptions { get; set; }
}
