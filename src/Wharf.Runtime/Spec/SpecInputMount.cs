namespace Wharf.Runtime.Spec;

/// <summary>A user mount: <see cref="Type"/> "bind" (Source = host path) or "tmpfs" (Options = tmpfs options
/// such as "size=64m", "mode=1777").</summary>
public sealed record SpecInputMount
{
    public string Type { get; init; } = "bind";
    public string Source { get; init; } = "";
    public required string Destination { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>Bind propagation (rprivate by default, as Docker).</summary>
    public string Propagation { get; init; } = "rprivate";
    /// <summary>false = "bind" instead of "rbind" (bind-nonrecursive).</summary>
    public bool Recursive { get; init; } = true;
    public IReadOnlyList<string> Options { get; init; } = [];
}
