namespace Wharf.Network;

/// <summary>Kernel switches the bridge driver needs on the host, set the way dockerd sets them at start.</summary>
public static class HostSysctl
{
    /// <summary>
    /// Turns on IPv4 forwarding (net.ipv4.ip_forward): without it the host drops what containers send past the
    /// bridge, so outbound NAT and published ports reached from outside do nothing. dockerd turns it on too and,
    /// like dockerd, wharfd leaves it on at exit because other software may rely on it by then.
    /// Returns false when it was already on.
    /// </summary>
    public static bool EnableIpv4Forwarding(string procSys = "/proc/sys") => TurnOn(Path.Combine(procSys, "net/ipv4/ip_forward"));

    /// <summary>Whether the kernel has IPv6 at all (booted without ipv6.disable=1).</summary>
    public static bool Ipv6Available(string procSys = "/proc/sys") => Directory.Exists(Path.Combine(procSys, "net/ipv6"));

    /// <summary>
    /// Turns on IPv6 forwarding (net.ipv6.conf.all.forwarding) for IPv6 bridge networks, as dockerd does, and like
    /// dockerd leaves it on. Returns false when it was already on.
    /// </summary>
    public static bool EnableIpv6Forwarding(string procSys = "/proc/sys") => TurnOn(Path.Combine(procSys, "net/ipv6/conf/all/forwarding"));

    /// <summary>Writes 1 to a boolean sysctl unless it is 1 already; true when it was changed.</summary>
    private static bool TurnOn(string path)
    {
        if (File.ReadAllText(path).Trim() == "1") return false;
        File.WriteAllText(path, "1\n");
        return true;
    }

    /// <summary>
    /// Turns IPv6 on for one interface (net.ipv6.conf.&lt;if&gt;.disable_ipv6=0). Relative to the network namespace
    /// of the calling thread, so it also serves a container's interface from a thread inside its namespace.
    /// </summary>
    public static void EnableIpv6On(string interfaceName, string procSys = "/proc/sys")
    {
        var path = Path.Combine(procSys, "net/ipv6/conf", interfaceName, "disable_ipv6");
        if (File.ReadAllText(path).Trim() != "0") File.WriteAllText(path, "0\n");
    }

    /// <summary>
    /// Turns on net.ipv4.conf.&lt;bridge&gt;.route_localnet, so traffic to 127.0.0.1:PORT can be DNATed out of the
    /// bridge (published ports reachable on loopback without a userland proxy).
    /// </summary>
    public static void EnableRouteLocalnet(string interfaceName, string procSys = "/proc/sys") =>
        File.WriteAllText(Path.Combine(procSys, "net/ipv4/conf", interfaceName, "route_localnet"), "1\n");
}
