namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.devices[]</c>: a device node runc creates in the container's /dev.</summary>
public sealed record SpecDevice
{
    public string Type { get; init; } = "c";
    public string Path { get; init; } = "";
    public long Major { get; init; }
    public long Minor { get; init; }
    public uint? FileMode { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
}
