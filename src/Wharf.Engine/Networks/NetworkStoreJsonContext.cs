using System.Text.Json.Serialization;

namespace Wharf.Engine.Networks;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, WriteIndented = false)]
[JsonSerializable(typeof(NetworkRecord))]
internal sealed partial class NetworkStoreJsonContext : JsonSerializerContext;
