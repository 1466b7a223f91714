namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>linux.seccomp</c>: the filter runc compiles with libseccomp.</summary>
public sealed record SpecSeccomp
{
    public string DefaultAction { get; init; } = "SCMP_ACT_ERRNO";
    public uint? DefaultErrnoRet { get; init; }
    public List<string>? Architectures { get; init; }
    public List<SpecSyscall>? Syscalls { get; init; }
}
