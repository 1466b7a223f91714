using System.Text.Json.Serialization;

namespace Wharf.Cli.Commands;

/// <summary>Source-generated JSON for `wharf build`'s buildargs and labels maps.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string?>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class CliBuildJson : JsonSerializerContext;
