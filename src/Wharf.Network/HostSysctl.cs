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
    public static bool EnableIpv4Forwarding(string procSys = "/proc/sys")
    {
        var path = Path.Combine(procSys, "net/ipv4/ip_forward");
        if (File.ReadAllText(path).Trim() == "1") return false;
        File.WriteAllText(path, "1\n");
        return true;
    }

    /// <summary>
    /// Turns on net.ipv4.conf.&lt;bridge&gt;.route_localnet, so traffic to 127.0.0.1:PORT can be DNATed out of the
    /// bridge (published ports reachable on loopback without a userland proxy).
    /// </summary>
    public static void EnableRouteLocalnet(string interfaceName, string procSys = "/proc/sys") =>
        File.WriteAllText(Path.Combine(procSys, "net/ipv4/conf", interfaceName, "route_localnet"), "1\n");
}
