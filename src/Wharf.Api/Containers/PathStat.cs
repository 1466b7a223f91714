using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>The X-Docker-Container-Path-Stat header of /containers/{id}/archive (base64 of this JSON).
/// Mode uses Go's os.FileMode bits (directory 1&lt;&lt;31, symlink 1&lt;&lt;27, …); Mtime is RFC 3339.</summary>
public sealed class PathStat
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("mode")] public uint Mode { get; set; }
    [JsonPropertyName("mtime")] public string Mtime { get; set; } = "";
    [JsonPropertyName("linkTarget")] public string LinkTarget { get; set; } = "";
}
