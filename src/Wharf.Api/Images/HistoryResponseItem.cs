namespace Wharf.Api.Images;

/// <summary>One line of GET /images/{name}/history (newest first); Tags is null below the top entry, as in moby.</summary>
public sealed class HistoryResponseItem
{
    public string Id { get; set; } = "";
    public long Created { get; set; }
    public string CreatedBy { get; set; } = "";
    public List<string>? Tags { get; set; }
    public long Size { get; set; }
    public string Comment { get; set; } = "";
}
