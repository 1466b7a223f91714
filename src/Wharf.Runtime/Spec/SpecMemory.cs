using System.Text.Json.Serialization;

namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.resources.memory</c> (bytes; -1 = unlimited).</summary>
public sealed record SpecMemory
{
    public long? Limit { get; init; }
    public long? Reservation { get; init; }
    public long? Swap { get; init; }
    public ulong? Swappiness { get; init; }
    [JsonPropertyName("disableOOMKiller")]
    public bool? DisableOomKiller { get; init; }
}
