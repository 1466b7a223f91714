namespace Wharf.Engine.Images;

/// <summary>One line of GET /images/{name}/history (newest first).</summary>
/// <param name="Id">The image id on the top line, "&lt;missing&gt;" below it (as Docker shows for non-local parents).</param>
/// <param name="Created">Unix seconds.</param>
/// <param name="Tags">The image's tags on the top line, else null.</param>
/// <param name="Size">Layer size in bytes (0 for empty layers or when unknown).</param>
public sealed record ImageHistoryItem(string Id, long Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);
