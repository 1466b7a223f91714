using System.Text.Json.Serialization;

namespace Wharf.Engine.Containers;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, WriteIndented = false)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class ContainerStoreJsonContext : JsonSerializerContext;
