namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.namespaces[]</c>: type is pid, network, mount, ipc, uts, user, cgroup or time;
/// a path joins an existing namespace instead of creating one.</summary>
public sealed record SpecNamespace
{
    public string Type { get; init; } = "";
    public string? Path { get; init; }
}
