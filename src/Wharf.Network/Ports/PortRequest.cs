using System.Globalization;
using Wharf.Core;

namespace Wharf.Network.Ports;

/// <summary>One port a container asks to publish: container port and protocol, host address (0 = all), and the host
/// port range to take it from (0–0: an ephemeral port chosen by the kernel).</summary>
public sealed record PortRequest(string Proto, int ContainerPort, uint HostIp, int HostPortLow, int HostPortHigh)
{
    public string Key => ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + Proto;

    /// <summary>"80/tcp" → (80, "tcp"); a bare "80" is tcp. Throws Invalid for anything else.</summary>
    public static (int Port, string Proto) ParseKey(string key)
    {
        var slash = key.IndexOf('/');
        var portText = slash < 0 ? key : key[..slash];
        var proto = slash < 0 ? "tcp" : key[(slash + 1)..].ToLowerInvariant();
        if (proto is not ("tcp" or "udp" or "sctp")) throw WharfException.Invalid($"invalid proto: {proto}");
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw WharfException.Invalid($"invalid containerPort: {portText}");
        return (port, proto);
    }

    /// <summary>"8080", "8000-8010", "" (any). Throws Invalid for anything else.</summary>
    public static (int Low, int High) ParseHostPort(string? text)
    {
        if (string.IsNullOrEmpty(text)) return (0, 0);
        var dash = text.IndexOf('-');
        var lowText = dash < 0 ? text : text[..dash];
        var highText = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(lowText, NumberStyles.None, CultureInfo.InvariantCulture, out var low) || low > 65535 ||
            !int.TryParse(highText, NumberStyles.None, CultureInfo.InvariantCulture, out var high) || high > 65535 || high < low)
            throw WharfException.Invalid($"invalid hostPort: {text}");
        return (low, high);
    }

    /// <summary>The ports to publish from HostConfig.PortBindings and, with -P (<paramref name="publishAll"/>), every
    /// exposed port without a binding, on an ephemeral host port. Sorted so allocation is deterministic.</summary>
    public static List<PortRequest> FromConfig(IReadOnlyDictionary<string, List<(string HostIp, string HostPort)>?>? bindings,
        IEnumerable<string>? exposed, bool publishAll)
    {
        var list = new List<PortRequest>();
        var bound = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, entries) in bindings ?? new Dictionary<string, List<(string, string)>?>())
        {
            var (port, proto) = ParseKey(key);
            bound.Add(port.ToString(CultureInfo.InvariantCulture) + "/" + proto);
            var items = entries is { Count: > 0 } ? entries : [("", "")];
            foreach (var (hostIp, hostPort) in items)
            {
                uint ip = 0;
                if (!string.IsNullOrEmpty(hostIp) && !Ipv4Cidr.TryParseIp(hostIp, out ip))
                {
                    // An explicit IPv6 host address is skipped, as Docker skips it on a bridge without IPv6 (a binding
                    // on every address reaches --ipv6 containers through the ip6 table); anything else is a typo.
                    if (hostIp.Contains(':', StringComparison.Ordinal)) continue;
                    throw WharfException.Invalid($"invalid host IP: {hostIp}");
                }
                var (low, high) = ParseHostPort(hostPort);
                list.Add(new PortRequest(proto, port, ip, low, high));
            }
        }
        if (publishAll)
        {
            foreach (var key in exposed ?? [])
            {
                var (port, proto) = ParseKey(key);
                if (bound.Add(port.ToString(CultureInfo.InvariantCulture) + "/" + proto)) list.Add(new PortRequest(proto, port, 0, 0, 0));
            }
        }
        list.Sort((a, b) => a.ContainerPort != b.ContainerPort ? a.ContainerPort.CompareTo(b.ContainerPort)
            : a.Proto != b.Proto ? string.CompareOrdinal(a.Proto, b.Proto) : a.HostIp.CompareTo(b.HostIp));
        return list;
    }
}

/// <summary>A published port of a running container: host address (0 = all) and port, DNATed to the container.</summary>
/// <param name="ContainerIp6">The container's IPv6 address on an --ipv6 network, else empty: a binding on every host
/// address is then also DNATed from the host's IPv6 addresses (not ::1, see docs/decisions.md).</param>
public sealed record PortMapping(string Proto, uint HostIp, int HostPort, uint ContainerIp, int ContainerPort, string Bridge,
    string ContainerIp6 = "")
{
    public string Key => ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + Proto;

    public string HostIpText => Ipv4Cidr.FormatIp(HostIp);

    /// <summary>Published on [::] too: a binding on every address of a container with an IPv6 address.</summary>
    public bool AlsoIpv6 => HostIp == 0 && ContainerIp6.Length > 0;
}
