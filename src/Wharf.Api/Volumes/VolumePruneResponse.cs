namespace Wharf.Api.Volumes;

public sealed class VolumePruneResponse
{
    /// <summary>Never null on the wire: the CLI ranges over it.</summary>
    public List<string> VolumesDeleted { get; set; } = [];
    public long SpaceReclaimed { get; set; }
}
