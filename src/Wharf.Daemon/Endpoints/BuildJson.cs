using System.Text.Json.Serialization;

namespace Wharf.Daemon.Endpoints;

/// <summary>Source-generated JSON for the few build-only shapes (prune answer, cachefrom list).</summary>
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(long))]
internal sealed partial class BuildJson : JsonSerializerContext;
