namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.resources.cpu</c>.</summary>
public sealed record SpecCpu
{
    public ulong? Shares { get; init; }
    public long? Quota { get; init; }
    public ulong? Period { get; init; }
    public string? Cpus { get; init; }
    public string? Mems { get; init; }
}
