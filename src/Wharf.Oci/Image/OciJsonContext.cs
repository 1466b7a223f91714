using System.Text.Json.Serialization;

namespace Wharf.Oci.Image;

/// <summary>Source-generated (reflection-free, AOT-safe) JSON for the image-spec records.
/// Nulls are omitted so that written blobs look like the ones registries and Docker produce.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
public sealed partial class OciJsonContext : JsonSerializerContext;
