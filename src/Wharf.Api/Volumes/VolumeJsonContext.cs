using System.Text.Json.Serialization;

namespace Wharf.Api.Volumes;

/// <summary>Source-generated JSON for the /volumes endpoints (case-insensitive input like Go).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Volume))]
[JsonSerializable(typeof(VolumeCreateRequest))]
[JsonSerializable(typeof(VolumeListResponse))]
[JsonSerializable(typeof(VolumePruneResponse))]
public sealed partial class VolumeJsonContext : JsonSerializerContext;
