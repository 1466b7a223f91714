namespace Wharf.Runtime.Spec;

/// <summary>One rule of a Docker-style seccomp profile before it is resolved for a container: the
/// includes/excludes conditions decide whether it is emitted (moby profiles/seccomp semantics).</summary>
internal sealed record SeccompRule(string[] Names, string Action = "SCMP_ACT_ALLOW")
{
    public uint? ErrnoRet { get; init; }
    public SpecSyscallArg[]? Args { get; init; }
    /// <summary>Emitted only if every one of these is in the bounding set.</summary>
    public string[]? IncludeCaps { get; init; }
    /// <summary>Skipped if any of these is in the bounding set.</summary>
    public string[]? ExcludeCaps { get; init; }
    /// <summary>Emitted only on these (Docker GOARCH-style) architectures.</summary>
    public string[]? IncludeArches { get; init; }
    public string[]? ExcludeArches { get; init; }
    /// <summary>Emitted only on kernels at least this (major, minor).</summary>
    public (int Major, int Minor)? MinKernel { get; init; }
}
