namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.seccomp.syscalls[]</c>: one rule; several args are ANDed.</summary>
public sealed record SpecSyscall
{
    public List<string> Names { get; init; } = [];
    public string Action { get; init; } = "SCMP_ACT_ALLOW";
    public uint? ErrnoRet { get; init; }
    public List<SpecSyscallArg>? Args { get; init; }
}
