using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

/// <summary>Source-generated JSON metadata for the container endpoints. Go semantics: case-insensitive
/// input, nulls written as null. (No-HTML-escaping is an encoder setting the server applies.)</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ContainerConfig))]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(HostConfig))]
[JsonSerializable(typeof(NetworkingConfig))]
[JsonSerializable(typeof(EndpointSettings))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(ContainerSummary))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerInspectResponse))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(MountPoint))]
[JsonSerializable(typeof(ContainerPruneResponse))]
[JsonSerializable(typeof(ContainerTopResponse))]
[JsonSerializable(typeof(ContainerStatsResponse))]
[JsonSerializable(typeof(ContainerUpdateResponse))]
[JsonSerializable(typeof(List<FilesystemChange>))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(PathStat))]
public sealed partial class ContainerJsonContext : JsonSerializerContext;
