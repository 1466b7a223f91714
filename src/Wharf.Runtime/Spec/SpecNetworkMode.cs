namespace Wharf.Runtime.Spec;

/// <summary>How the container's network namespace is set up.</summary>
public enum SpecNetworkMode
{
    /// <summary>A new network namespace (loopback only until the network code wires it, or the path in
    /// <see cref="SpecInput.NamespacePaths"/> "network" is joined).</summary>
    Private = 0,
    /// <summary>--network none: a new namespace that keeps only lo.</summary>
    None,
    /// <summary>--network host: the host's network and UTS namespaces.</summary>
    Host,
}
