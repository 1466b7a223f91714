using System.Globalization;
using System.Text;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Network;

/// <summary>
/// Bridges and links. The per-container veth goes through rtnetlink in-process (<see cref="Netlink"/>); the rarer
/// operations (bridges, macvlan endpoints, live disconnects) through iproute2 batches.
/// </summary>
public static class LinkManager
{
    private const string Ip = "ip";

    public static bool Exists(string ifName) => Directory.Exists(Path.Combine("/sys/class/net", ifName));

    /// <summary>Creates the bridge if missing, gives it the gateway address (and the IPv6 one, usable at once: no
    /// duplicate address detection) and brings it up (idempotent).</summary>
    public static async Task EnsureBridgeAsync(string name, Ipv4Cidr gateway, int mtu, Ipv6Cidr? gateway6 = null)
    {
        var script = new StringBuilder();
        string add = $"link add name {name} mtu {mtu} type bridge\n";
        if (gateway6 is { } gw6)
        {
            // The address needs IPv6 on for the bridge, which can only be switched once the link exists.
            if (!Exists(name)) await HostCommand.RunAsync(Ip, ["-batch", "-"], add).ConfigureAwait(false);
            HostSysctl.EnableIpv6On(name);
            script.Append(CultureInfo.InvariantCulture, $"addr replace {gw6} dev {name} nodad\n");
        }
        else if (!Exists(name))
        {
            script.Append(add);
        }
        script.Append(CultureInfo.InvariantCulture, $"addr replace {gateway} dev {name}\n");
        script.Append(CultureInfo.InvariantCulture, $"link set {name} up\n");
        await HostCommand.RunAsync(Ip, ["-batch", "-"], script.ToString()).ConfigureAwait(false);
    }

    public static async Task DeleteLinkAsync(string name)
    {
        if (!Exists(name)) return;
        await HostCommand.RunAsync(Ip, ["link", "del", name], check: false).ConfigureAwait(false);
    }

    /// <summary>Names of host links whose name starts with a prefix (to find leftovers).</summary>
    public static IReadOnlyList<string> LinksWithPrefix(string prefix)
    {
        try
        {
            return Directory.EnumerateDirectories("/sys/class/net")
                .Select(Path.GetFileName).Where(n => n!.StartsWith(prefix, StringComparison.Ordinal)).Select(n => n!).ToList();
        }
        catch (IOException) { return []; }
    }

    /// <summary>Interface names inside the network namespace of a process.</summary>
    public static IReadOnlyList<string> LinksOf(int pid)
    {
        var names = new List<string>();
        try
        {
            foreach (var line in File.ReadAllLines($"/proc/{pid}/net/dev").Skip(2))
            {
                int colon = line.IndexOf(':');
                if (colon > 0) names.Add(line[..colon].Trim());
            }
        }
        catch (IOException) { }
        return names;
    }

    /// <summary>The first free ethN inside a process's namespace.</summary>
    public static string NextContainerIfName(int pid)
    {
        var used = LinksOf(pid);
        for (int i = 0; ; i++)
        {
            var n = "eth" + i.ToString(CultureInfo.InvariantCulture);
            if (!used.Contains(n)) return n;
        }
    }

    /// <summary>A veth pair: host end on the bridge and up, container end created directly in the namespace of
    /// <paramref name="pid"/> under its final name, addressed, up; with a default route through
    /// <paramref name="defaultGateway"/>; on an IPv6 network also <paramref name="address6"/> (IPv6 switched on for
    /// the interface, no duplicate address detection so it is usable at once) and a default route through
    /// <paramref name="defaultGateway6"/>; a non-zero <paramref name="gsoIpv4MaxSize"/> on both ends (<see cref="BigTcp"/>).
    /// All through rtnetlink in-process: this is on every container start.</summary>
    public static Task AttachVethAsync(int pid, string bridge, string hostIf, string containerIf, Ipv4Cidr address,
        string mac, int mtu, uint? defaultGateway, Ipv6Cidr? address6 = null, UInt128? defaultGateway6 = null, uint gsoIpv4MaxSize = 0)
    {
        using var nl = Netlink.Open();
        int master = nl.LinkIndex(bridge);
        if (master == 0) throw WharfException.Internal($"bridge {bridge} does not exist");
        nl.CreateVeth(hostIf, containerIf, pid, mtu, ParseMac(mac), gsoIpv4MaxSize);
        try
        {
            nl.SetUp(nl.LinkIndex(hostIf), master);
            NetNamespace.Invoke($"/proc/{pid}/ns/net", () =>
            {
                using var inside = Netlink.Open();
                int index = inside.LinkIndex(containerIf);
                if (index == 0) throw WharfException.Internal($"{containerIf} did not appear in the container's namespace");
                inside.AddAddress(index, address.Address, address.PrefixLength);
                inside.SetUp(index);
                inside.SetUp(inside.LinkIndex("lo"));
                if (defaultGateway is { } gw) inside.ReplaceDefaultRoute(index, gw);
                if (address6 is { } a6)
                {
                    // This thread is inside the container's namespace, so /proc/sys/net is the container's.
                    HostSysctl.EnableIpv6On(containerIf);
                    inside.AddAddress6(index, a6.Address, a6.PrefixLength);
                    if (defaultGateway6 is { } gw6) inside.ReplaceDefaultRoute6(index, gw6);
                }
                return 0;
            });
        }
        catch
        {
            int host = nl.LinkIndex(hostIf);
            if (host > 0) nl.DeleteLink(host);
            throw;
        }
        return Task.CompletedTask;
    }

    private static byte[] ParseMac(string mac) =>
        mac.Split(':').Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>A macvlan sub-interface of <paramref name="parent"/> moved into the namespace of <paramref name="pid"/>.</summary>
    public static async Task AttachMacvlanAsync(int pid, string parent, string mode, string tmpName, string containerIf,
        Ipv4Cidr address, string mac, uint? defaultGateway)
    {
        var host = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"link add link {parent} name {tmpName} type macvlan mode {mode}\n")
            .Append(CultureInfo.InvariantCulture, $"link set {tmpName} netns {pid}\n");
        await HostCommand.RunAsync(Ip, ["-batch", "-"], host.ToString()).ConfigureAwait(false);
        await ConfigureInsideAsync(pid, tmpName, containerIf, address, mac, defaultGateway).ConfigureAwait(false);
    }

    private static async Task ConfigureInsideAsync(int pid, string tmp, string containerIf, Ipv4Cidr address, string mac, uint? defaultGateway)
    {
        var inside = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"link set {tmp} name {containerIf}\n")
            .Append(CultureInfo.InvariantCulture, $"link set {containerIf} address {mac}\n")
            .Append(CultureInfo.InvariantCulture, $"addr add {address} dev {containerIf}\n")
            .Append(CultureInfo.InvariantCulture, $"link set {containerIf} up\n")
            .Append("link set lo up\n");
        if (defaultGateway is { } gw)
            inside.Append(CultureInfo.InvariantCulture, $"route replace default via {Ipv4Cidr.FormatIp(gw)} dev {containerIf}\n");
        await HostCommand.RunAsync("nsenter", [$"--net=/proc/{pid}/ns/net", Ip, "-batch", "-"], inside.ToString()).ConfigureAwait(false);
    }

    /// <summary>Removes an interface from inside a container's namespace (disconnect of a macvlan endpoint).</summary>
    public static Task DeleteInsideAsync(int pid, string containerIf) =>
        HostCommand.RunAsync("nsenter", [$"--net=/proc/{pid}/ns/net", Ip, "link", "del", containerIf], check: false);

    /// <summary>Docker's MAC for an IPv4 endpoint: 02:42 followed by the address bytes.</summary>
    public static string MacFor(uint ip) => string.Create(CultureInfo.InvariantCulture,
        $"02:42:{ip >> 24:x2}:{(ip >> 16) & 255:x2}:{(ip >> 8) & 255:x2}:{ip & 255:x2}");
}
