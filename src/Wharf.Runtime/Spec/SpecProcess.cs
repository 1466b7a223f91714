namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>process</c>: the container's init process.</summary>
public sealed record SpecProcess
{
    public bool Terminal { get; init; }
    public SpecConsoleSize? ConsoleSize { get; init; }
    public SpecUser User { get; init; } = new();
    public List<string> Args { get; init; } = [];
    public List<string>? Env { get; init; }
    public string Cwd { get; init; } = "/";
    public SpecCapabilities? Capabilities { get; init; }
    public List<SpecRlimit>? Rlimits { get; init; }
    public bool NoNewPrivileges { get; init; }
    public int? OomScoreAdj { get; init; }
}
