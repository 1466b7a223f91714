namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.resources.devices[]</c>: one device-cgroup rule. Null type/major/minor mean "all".</summary>
public sealed record SpecDeviceRule
{
    public bool Allow { get; init; }
    public string? Type { get; init; }
    public long? Major { get; init; }
    public long? Minor { get; init; }
    public string? Access { get; init; }
}
