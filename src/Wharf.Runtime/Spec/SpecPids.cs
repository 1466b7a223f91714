namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.resources.pids</c>.</summary>
public sealed record SpecPids
{
    public long Limit { get; init; }
}
