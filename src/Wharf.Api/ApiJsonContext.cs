using System.Text.Json.Serialization;
using Wharf.Api.Images;
using Wharf.Api.Daemon;

namespace Wharf.Api;

/// <summary>
/// Source-generated JSON for the system and image wire types. Go-compatible output: no HTML escaping is
/// configured by the writer (JavaScriptEncoder.UnsafeRelaxedJsonEscaping), property names as declared
/// (PascalCase), case-insensitive reading like Go's encoding/json.
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(SystemInfo))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ImageDeleteResponseItem>))]
[JsonSerializable(typeof(List<HistoryResponseItem>))]
[JsonSerializable(typeof(ImagePruneResponse))]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, bool>>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
