using System.Text.Json.Serialization;

namespace Wharf.Runtime.Spec;

/// <summary>
/// An OCI runtime-spec <c>config.json</c> (the subset Wharf writes). Null members are omitted when
/// serialised through <see cref="SpecJson"/>, as runc treats absent and null alike but humans reading
/// the bundle prefer the short form.
/// </summary>
public sealed record RuntimeSpec
{
    public string OciVersion { get; init; } = "1.0.2";
    public SpecProcess? Process { get; init; }
    public SpecRoot? Root { get; init; }
    public string? Hostname { get; init; }
    public List<SpecMount>? Mounts { get; init; }
    public SpecLinux? Linux { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
}
