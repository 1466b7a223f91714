namespace Wharf.Engine.Volumes;

/// <summary>Who references a volume (any container, running or not, as Docker counts references).</summary>
public interface IVolumeUsage
{
    /// <summary>The containers whose mounts name <paramref name="volumeName"/>, each with whether it runs.</summary>
    IReadOnlyList<(string Id, bool Running)> ContainersUsingVolume(string volumeName);
}
