using System.Text.Json.Serialization;

namespace Wharf.Api.Events;

/// <summary>Source-generated JSON metadata for <c>/events</c>; case-insensitive input as Go decodes.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EventMessage))]
public sealed partial class EventJsonContext : JsonSerializerContext;
