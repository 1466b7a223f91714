using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>CPU time of the container's cgroup in nanoseconds.</summary>
public sealed class StatsCpuUsage
{
    [JsonPropertyName("total_usage")] public ulong TotalUsage { get; set; }
    [JsonPropertyName("percpu_usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? PercpuUsage { get; set; }
    [JsonPropertyName("usage_in_kernelmode")] public ulong UsageInKernelmode { get; set; }
    [JsonPropertyName("usage_in_usermode")] public ulong UsageInUsermode { get; set; }
}
