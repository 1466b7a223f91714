using System.Text.Json.Serialization;

namespace Wharf.Api.Images;

/// <summary>One line of DELETE /images/{name}: either Untagged or Deleted is set.</summary>
public sealed class ImageDeleteResponseItem
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Untagged { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Deleted { get; set; }
}
