namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>process.capabilities</c>: names like <c>CAP_CHOWN</c>.</summary>
public sealed record SpecCapabilities
{
    public List<string> Bounding { get; init; } = [];
    public List<string> Effective { get; init; } = [];
    public List<string> Permitted { get; init; } = [];
    public List<string> Inheritable { get; init; } = [];
    public List<string> Ambient { get; init; } = [];
}
