using System.Text.Json.Serialization;

namespace Wharf.Engine.Volumes;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, WriteIndented = false)]
[JsonSerializable(typeof(VolumeRecord))]
internal sealed partial class VolumeStoreJsonContext : JsonSerializerContext;
