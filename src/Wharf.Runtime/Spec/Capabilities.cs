using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// Linux capability names and Docker's cap-add/cap-drop rules (moby daemon/pkg/oci/caps).
/// </summary>
public static class Capabilities
{
    /// <summary>Every capability Linux defines, indexed by its number.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Docker's 14 default capabilities, in Docker's order (CapBnd 00000000a80425fb).</summary>
    public static IReadOnlyList<string> Default { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ];

    /// <summary>Capability number, or -1 when the name is unknown. Expects the normalised CAP_ form.</summary>
    public static int Number(string name)
    {
        for (int i = 0; i < All.Count; i++)
            if (string.Equals(All[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>The names whose bits are set in a CapBnd/CapEff mask, in number order.</summary>
    public static List<string> FromMask(ulong mask)
    {
        var list = new List<string>();
        for (int i = 0; i < All.Count; i++)
            if ((mask & (1UL << i)) != 0) list.Add(All[i]);
        return list;
    }

    public static ulong ToMask(IEnumerable<string> names)
    {
        ulong mask = 0;
        foreach (var n in names)
        {
            int i = Number(n);
            if (i >= 0) mask |= 1UL << i;
        }
        return mask;
    }

    /// <summary>Upper-cases and adds the CAP_ prefix; "ALL" stays "ALL". Unknown names are an InvalidArgument
    /// with Docker's wording (<c>unknown capability: "CAP_FOO"</c>).</summary>
    public static string Normalize(string name)
    {
        var c = name.Trim().ToUpperInvariant();
        if (c == "ALL") return c;
        if (!c.StartsWith("CAP_", StringComparison.Ordinal)) c = "CAP_" + c;
        if (Number(c) < 0) throw WharfException.Invalid($"unknown capability: \"{c}\"");
        return c;
    }

    /// <summary>
    /// Docker's TweakCapabilities: privileged → every capability available (here: the ones wharfd holds in its
    /// bounding set, because asking runc for more fails with "unable to apply caps"); cap-add ALL → all but the
    /// dropped ones; cap-drop ALL → only the added ones; otherwise defaults minus drops plus adds.
    /// A named capability wharfd itself lacks is refused with a clear message instead of runc's.
    /// </summary>
    public static List<string> Tweak(IReadOnlyList<string> adds, IReadOnlyList<string> drops, bool privileged, ulong available)
    {
        var availableList = FromMask(available);
        if (privileged) return availableList;
        if (adds.Count == 0 && drops.Count == 0) return [.. Default];

        var capDrop = drops.Select(Normalize).Distinct().ToList();
        var capAdd = adds.Select(Normalize).Distinct().ToList();

        List<string> caps;
        if (capAdd.Contains("ALL"))
        {
            caps = availableList.Where(c => !capDrop.Contains(c)).ToList();
        }
        else if (capDrop.Contains("ALL"))
        {
            caps = [.. capAdd];
        }
        else
        {
            caps = Default.Where(c => !capDrop.Contains(c)).ToList();
            foreach (var c in capAdd)
                if (!caps.Contains(c)) caps.Add(c);
        }

        foreach (var c in caps)
        {
            if ((available & (1UL << Number(c))) == 0)
                throw WharfException.Invalid(
                    $"capability {c} is not available: the daemon does not hold it in its bounding set on this host");
        }
        return caps;
    }
}
