namespace Wharf.Api.Containers;

/// <summary>One item of GET /containers/{id}/changes. Kind: 0 modified, 1 added, 2 deleted.</summary>
public sealed class FilesystemChange
{
    public string Path { get; set; } = "";
    public int Kind { get; set; }
}
