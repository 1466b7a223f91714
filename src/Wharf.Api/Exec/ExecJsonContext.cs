using System.Text.Json.Serialization;

namespace Wharf.Api.Exec;

/// <summary>Source-generated JSON metadata for the exec endpoints (Go semantics: case-insensitive input).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ExecCreateRequest))]
[JsonSerializable(typeof(ExecStartRequest))]
[JsonSerializable(typeof(ExecCreateResponse))]
[JsonSerializable(typeof(ExecInspectResponse))]
public sealed partial class ExecJsonContext : JsonSerializerContext;
