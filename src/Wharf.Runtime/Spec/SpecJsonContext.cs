using System.Text.Json.Serialization;

namespace Wharf.Runtime.Spec;

/// <summary>Source-generated (AOT-safe) JSON metadata for config.json: camelCase names, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(SpecResources))]
internal sealed partial class SpecJsonContext : JsonSerializerContext;
