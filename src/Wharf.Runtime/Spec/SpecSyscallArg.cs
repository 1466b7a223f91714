namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.seccomp.syscalls[].args[]</c>; op is e.g. <c>SCMP_CMP_EQ</c>, <c>SCMP_CMP_MASKED_EQ</c>.</summary>
public sealed record SpecSyscallArg
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong? ValueTwo { get; init; }
    public string Op { get; init; } = "SCMP_CMP_EQ";
}
