using System.Text.Json.Serialization;
using Wharf.Api.Containers;
using Wharf.Api.Images;
using Wharf.Api.Volumes;

namespace Wharf.Api.Daemon;

/// <summary>Answer of <c>GET /system/df</c> (swagger SystemDataUsageResponse); a section not asked for with
/// <c>type=</c> is null.</summary>
public sealed class DiskUsageResponse
{
    public long LayersSize { get; set; }
    public List<ImageSummary>? Images { get; set; }
    public List<ContainerSummary>? Containers { get; set; }
    public List<Volume>? Volumes { get; set; }
    public List<BuildCacheRecord>? BuildCache { get; set; }
}

/// <summary>One build cache entry of <c>/system/df</c> (swagger BuildCache).</summary>
public sealed class BuildCacheRecord
{
    public string ID { get; set; } = "";
    public List<string>? Parents { get; set; }
    public string Type { get; set; } = "regular";
    public string Description { get; set; } = "";
    public bool InUse { get; set; }
    public bool Shared { get; set; }
    public long Size { get; set; }
    public string CreatedAt { get; set; } = "";
    public string? LastUsedAt { get; set; }
    public long UsageCount { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DiskUsageResponse))]
public sealed partial class DiskUsageJsonContext : JsonSerializerContext;
