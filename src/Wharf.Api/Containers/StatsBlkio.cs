using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary><c>blkio_stats</c>: Docker writes null for the lists a cgroup version does not have.</summary>
public sealed class StatsBlkio
{
    [JsonPropertyName("io_service_bytes_recursive")] public List<StatsBlkioEntry>? IoServiceBytesRecursive { get; set; }
    [JsonPropertyName("io_serviced_recursive")] public List<StatsBlkioEntry>? IoServicedRecursive { get; set; }
    [JsonPropertyName("io_queue_recursive")] public List<StatsBlkioEntry>? IoQueueRecursive { get; set; }
    [JsonPropertyName("io_service_time_recursive")] public List<StatsBlkioEntry>? IoServiceTimeRecursive { get; set; }
    [JsonPropertyName("io_wait_time_recursive")] public List<StatsBlkioEntry>? IoWaitTimeRecursive { get; set; }
    [JsonPropertyName("io_merged_recursive")] public List<StatsBlkioEntry>? IoMergedRecursive { get; set; }
    [JsonPropertyName("io_time_recursive")] public List<StatsBlkioEntry>? IoTimeRecursive { get; set; }
    [JsonPropertyName("sectors_recursive")] public List<StatsBlkioEntry>? SectorsRecursive { get; set; }
}
