using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary><c>memory_stats</c>; the CLI shows usage minus (total_)inactive_file from <see cref="Stats"/>.</summary>
public sealed class StatsMemory
{
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max_usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong MaxUsage { get; set; }
    [JsonPropertyName("stats")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, ulong>? Stats { get; set; }
    [JsonPropertyName("failcnt")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Failcnt { get; set; }
    [JsonPropertyName("limit")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}
