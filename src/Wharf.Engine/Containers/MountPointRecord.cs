namespace Wharf.Engine.Containers;

/// <summary>One resolved mount of a container (moby's MountPoint), decided at create and persisted with it:
/// binds, volumes (named or anonymous) and <c>--mount type=tmpfs</c>.</summary>
public sealed class MountPointRecord
{
    /// <summary>bind, volume or tmpfs.</summary>
    public string Type { get; set; } = "";
    /// <summary>Volume name (volumes only).</summary>
    public string Name { get; set; } = "";
    /// <summary>Host path of a bind (a volume's comes from the volume service).</summary>
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string Driver { get; set; } = "";
    /// <summary>The mode text as given (<c>-v a:/b:ro,z</c> → "ro,z"), shown by inspect.</summary>
    public string Mode { get; set; } = "";
    public bool RW { get; set; } = true;
    public string Propagation { get; set; } = "";
    /// <summary>Fill a new empty volume with the image's content at the destination (cleared once done).</summary>
    public bool CopyData { get; set; }
    /// <summary>The user named the volume (<c>-v name:/x</c>): rm -v and --rm leave it.</summary>
    public bool Named { get; set; }
    public bool NonRecursive { get; set; }
    /// <summary>tmpfs mount options ("size=64m", "mode=1777", "ro", …).</summary>
    public List<string>? TmpfsOptions { get; set; }

    // Only for volumes still to be created at container create (not persisted meaningfully afterwards).
    public Dictionary<string, string>? VolumeLabels { get; set; }
    public Dictionary<string, string>? VolumeDriverOptions { get; set; }

    public MountPointRecord Clone() => (MountPointRecord)MemberwiseClone();
}
