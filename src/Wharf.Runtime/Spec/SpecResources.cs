namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.resources</c>.</summary>
public sealed record SpecResources
{
    public List<SpecDeviceRule>? Devices { get; init; }
    public SpecMemory? Memory { get; init; }
    public SpecCpu? Cpu { get; init; }
    public SpecPids? Pids { get; init; }
}
