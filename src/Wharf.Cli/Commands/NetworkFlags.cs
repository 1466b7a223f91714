using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>
/// The run/create flags for ports and names, parsed as docker's CLI does (opts.go and go-connections' nat
/// ParsePortSpec): -p/--publish, -P/--publish-all, --expose, --dns, --dns-search, --dns-option, --network-alias, --ip.
/// </summary>
internal static class NetworkFlags
{
    public static readonly FlagSpec[] Flags =
    [
        FlagSpec.Value("publish", 'p'),
        FlagSpec.Bool("publish-all", 'P'),
        FlagSpec.Value("expose"),
        FlagSpec.Value("dns"),
        FlagSpec.Value("dns-search"),
        FlagSpec.Value("dns-option"),
        FlagSpec.Value("network-alias"),
        FlagSpec.Value("ip"),
        FlagSpec.Value("ip6"),
    ];

    public static void Apply(ParsedFlags flags, ContainerCreateRequest request)
    {
        var hc = request.HostConfig ??= new HostConfig();
        hc.PublishAllPorts = flags.Bool("publish-all");
        if (flags.Values("dns") is { Count: > 0 } dns) hc.Dns = [.. dns];
        if (flags.Values("dns-search") is { Count: > 0 } search) hc.DnsSearch = [.. search];
        if (flags.Values("dns-option") is { Count: > 0 } options) hc.DnsOptions = [.. options];

        foreach (var e in flags.Values("expose"))
        {
            var (proto, port) = SplitProto(e);
            var (start, end) = ParseRange(port, "invalid range format for --expose");
            for (int p = start; p <= end; p++) (request.ExposedPorts ??= [])[Key(p, proto)] = EmptyObject.Instance;
        }
        foreach (var spec in flags.Values("publish"))
        {
            foreach (var (key, binding) in ParsePortSpec(spec))
            {
                (request.ExposedPorts ??= [])[key] = EmptyObject.Instance;
                hc.PortBindings ??= [];
                if (!hc.PortBindings.TryGetValue(key, out var list) || list is null) hc.PortBindings[key] = list = [];
                list.Add(binding);
            }
        }

        var aliases = flags.Values("network-alias");
        var ip = flags.Value("ip");
        var ip6 = flags.Value("ip6");
        if (aliases.Count == 0 && ip is null && ip6 is null) return;
        var endpoints = request.NetworkingConfig?.EndpointsConfig;
        if (endpoints is null || endpoints.Count == 0)
            throw new UsageException("--network-alias, --ip and --ip6 need a network: use --network");
        var ep = endpoints.Values.First();
        if (aliases.Count > 0) ep.Aliases = [.. aliases];
        if (ip is not null || ip6 is not null) ep.IPAMConfig = new EndpointIpamConfig { IPv4Address = ip, IPv6Address = ip6 };
    }

    /// <summary>One -p value as (port key, binding) pairs: "[ip:][hostPort:]containerPort[/proto]", port ranges
    /// expanded one pair per container port; a host range for a single container port stays a range.</summary>
    public static List<(string Key, PortBinding Binding)> ParsePortSpec(string spec)
    {
        var (proto, rest) = SplitProto(spec);
        string ip = "", hostPort = "", containerPort;
        // An IPv6 host address is written in brackets: [::1]:8080:80.
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= rest.Length || rest[close + 1] != ':') throw new UsageException($"invalid IP address in {spec}");
            ip = rest[1..close];
            rest = rest[(close + 2)..];
            var parts = rest.Split(':');
            if (parts.Length != 2) throw new UsageException($"invalid port format for --publish: {spec}");
            (hostPort, containerPort) = (parts[0], parts[1]);
        }
        else
        {
            var parts = rest.Split(':');
            switch (parts.Length)
            {
                case 1: containerPort = parts[0]; break;
                case 2: (hostPort, containerPort) = (parts[0], parts[1]); break;
                case 3: (ip, hostPort, containerPort) = (parts[0], parts[1], parts[2]); break;
                default: throw new UsageException($"invalid port format for --publish: {spec}");
            }
        }
        if (ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _)) throw new UsageException($"invalid IP address: {ip}");
        if (containerPort.Length == 0) throw new UsageException($"no port specified: {spec}<empty>");
        var (cStart, cEnd) = ParseRange(containerPort, $"invalid containerPort: {containerPort}");
        int hStart = 0, hEnd = 0;
        if (hostPort.Length > 0) (hStart, hEnd) = ParseRange(hostPort, $"invalid hostPort: {hostPort}");
        if (hostPort.Length > 0 && cEnd != cStart && hEnd - hStart != cEnd - cStart)
            throw new UsageException($"invalid ranges specified for container and host Ports: {containerPort} and {hostPort}");

        var result = new List<(string, PortBinding)>();
        for (int i = 0; i <= cEnd - cStart; i++)
        {
            string host = hostPort.Length == 0 ? ""
                : cEnd == cStart && hEnd != hStart ? hostPort
                : (hStart + i).ToString(CultureInfo.InvariantCulture);
            result.Add((Key(cStart + i, proto), new PortBinding { HostIp = ip, HostPort = host }));
        }
        return result;
    }

    private static (string Proto, string Remainder) SplitProto(string spec)
    {
        int slash = spec.LastIndexOf('/');
        if (slash < 0) return ("tcp", spec);
        var proto = spec[(slash + 1)..].ToLowerInvariant();
        if (proto is not ("tcp" or "udp" or "sctp")) throw new UsageException($"invalid proto: {proto}");
        return (proto, spec[..slash]);
    }

    private static (int Start, int End) ParseRange(string text, string error)
    {
        var dash = text.IndexOf('-');
        var a = dash < 0 ? text : text[..dash];
        var b = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var start) || start > 65535 ||
            !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var end) || end > 65535 || end < start)
            throw new UsageException(error);
        return (start, end);
    }

    private static string Key(int port, string proto) => port.ToString(CultureInfo.InvariantCulture) + "/" + proto;
}
