namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>process.rlimits[]</c>, e.g. type <c>RLIMIT_NOFILE</c>.</summary>
public sealed record SpecRlimit
{
    public string Type { get; init; } = "";
    public ulong Hard { get; init; }
    public ulong Soft { get; init; }
}
