using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary><c>cpu_stats</c> / <c>precpu_stats</c>.</summary>
public sealed class StatsCpu
{
    [JsonPropertyName("cpu_usage")] public StatsCpuUsage CpuUsage { get; set; } = new();
    /// <summary>Host CPU time in ns (the CLI's CPU % denominator).</summary>
    [JsonPropertyName("system_cpu_usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong SystemCpuUsage { get; set; }
    [JsonPropertyName("online_cpus")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public uint OnlineCpus { get; set; }
    [JsonPropertyName("throttling_data")] public StatsThrottling ThrottlingData { get; set; } = new();
}
