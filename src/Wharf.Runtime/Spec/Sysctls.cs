using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// Which sysctls a container may set: only those that live in a namespace the container has its own of
/// (runc's validator, which Docker relies on; the wording is runc's). Anything else would change the host.
/// </summary>
public static class Sysctls
{
    private static readonly HashSet<string> IpcSysctls =
    [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ];

    public static void Validate(string name, bool hostNetwork)
    {
        if (IpcSysctls.Contains(name) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal)) return;
        if (name.StartsWith("net.", StringComparison.Ordinal))
        {
            if (hostNetwork) throw WharfException.Invalid($"sysctl \"{name}\" not allowed in host network namespace");
            return;
        }
        // The container always has its own UTS namespace unless it shares the host's network (and so its UTS).
        if (name is "kernel.domainname" && !hostNetwork) return;
        if (name is "kernel.hostname")
            throw WharfException.Invalid("sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field");
        throw WharfException.Invalid($"sysctl \"{name}\" is not in a separate kernel namespace");
    }
}
