namespace Wharf.Api.Volumes;

public sealed class VolumeListResponse
{
    public List<Volume> Volumes { get; set; } = [];
    public List<string>? Warnings { get; set; }
}
