using System.Text.Json.Serialization;

namespace Wharf.Api.Volumes;

/// <summary>Swagger "Volume": what inspect, list and create answer.</summary>
public sealed class Volume
{
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "local";
    public string Mountpoint { get; set; } = "";
    /// <summary>RFC 3339, seconds precision, as the local driver reports it.</summary>
    public string CreatedAt { get; set; } = "";
    public Dictionary<string, object>? Status { get; set; }
    public Dictionary<string, string>? Labels { get; set; } = [];
    public string Scope { get; set; } = "local";
    public Dictionary<string, string>? Options { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public VolumeUsageData? UsageData { get; set; }
}
