namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>mounts[]</c>.</summary>
public sealed record SpecMount
{
    public string Destination { get; init; } = "";
    public string? Type { get; init; }
    public string? Source { get; init; }
    public List<string>? Options { get; init; }
}
