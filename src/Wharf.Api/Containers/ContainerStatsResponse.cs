using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>One sample of <c>GET /containers/{id}/stats</c> (moby api/types/container StatsResponse).</summary>
public sealed class ContainerStatsResponse
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>RFC3339Nano; zero time "0001-01-01T00:00:00Z".</summary>
    [JsonPropertyName("read")] public string Read { get; set; } = "0001-01-01T00:00:00Z";
    [JsonPropertyName("preread")] public string PreRead { get; set; } = "0001-01-01T00:00:00Z";
    [JsonPropertyName("pids_stats")] public StatsPids PidsStats { get; set; } = new();
    [JsonPropertyName("blkio_stats")] public StatsBlkio BlkioStats { get; set; } = new();
    /// <summary>Windows only; always 0 on Linux.</summary>
    [JsonPropertyName("num_procs")] public uint NumProcs { get; set; }
    [JsonPropertyName("storage_stats")] public StatsStorage StorageStats { get; set; } = new();
    [JsonPropertyName("cpu_stats")] public StatsCpu CpuStats { get; set; } = new();
    [JsonPropertyName("precpu_stats")] public StatsCpu PreCpuStats { get; set; } = new();
    [JsonPropertyName("memory_stats")] public StatsMemory MemoryStats { get; set; } = new();
    [JsonPropertyName("networks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, StatsNetwork>? Networks { get; set; }
}
