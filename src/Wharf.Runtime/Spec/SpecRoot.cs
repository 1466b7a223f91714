namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>root</c>.</summary>
public sealed record SpecRoot
{
    public string Path { get; init; } = "";
    public bool Readonly { get; init; }
}
