namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux</c>.</summary>
public sealed record SpecLinux
{
    public List<SpecNamespace>? Namespaces { get; init; }
    public List<SpecIdMapping>? UidMappings { get; init; }
    public List<SpecIdMapping>? GidMappings { get; init; }
    public List<SpecDevice>? Devices { get; init; }
    public string? CgroupsPath { get; init; }
    public SpecResources? Resources { get; init; }
    public List<string>? MaskedPaths { get; init; }
    public List<string>? ReadonlyPaths { get; init; }
    public SpecSeccomp? Seccomp { get; init; }
    public Dictionary<string, string>? Sysctl { get; init; }
}
