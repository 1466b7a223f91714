using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary><c>pids_stats</c>: processes in the container's cgroup and its pids limit (0 = none).</summary>
public sealed class StatsPids
{
    [JsonPropertyName("current")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Current { get; set; }
    [JsonPropertyName("limit")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}
