using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>
/// `-p/--publish`, `-P/--publish-all` and `--expose`, parsed as docker's go-connections nat.ParsePortSpec does:
/// <c>[ip:][hostPort:]containerPort[/proto]</c> with ranges on either side, IPv6 addresses in brackets.
/// </summary>
internal static class PortFlags
{
    public static readonly FlagSpec[] Specs = [FlagSpec.Value("publish", 'p'), FlagSpec.Bool("publish-all", 'P'), FlagSpec.Value("expose")];

    public static void Apply(ParsedFlags flags, ContainerCreateRequest request, HostConfig hc)
    {
        var exposed = new Dictionary<string, EmptyObject>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, List<PortBinding>?>(StringComparer.Ordinal);
        foreach (var spec in flags.Values("publish"))
        {
            foreach (var (port, binding) in ParsePublish(spec))
            {
                exposed[port] = EmptyObject.Instance;
                if (!bindings.TryGetValue(port, out var list) || list is null) bindings[port] = list = [];
                list.Add(binding);
            }
        }

        foreach (var spec in flags.Values("expose"))
        {
            foreach (var port in ParseExpose(spec)) exposed[port] = EmptyObject.Instance;
        }

        if (exposed.Count > 0) request.ExposedPorts = exposed;
        if (bindings.Count > 0) hc.PortBindings = bindings;
        hc.PublishAllPorts = flags.Bool("publish-all");
    }

    /// <summary>One -p value → ("80/tcp", binding) pairs, one per container port of a range.</summary>
    internal static List<(string Port, PortBinding Binding)> ParsePublish(string spec)
    {
        var (rest, proto) = SplitProto(spec, "-p");
        var parts = rest.Split(':');
        string ip = "", host = "", container;
        switch (parts.Length)
        {
            case 1: container = parts[0]; break;
            case 2: host = parts[0]; container = parts[1]; break;
            case 3: ip = parts[0]; host = parts[1]; container = parts[2]; break;
            default:
                ip = string.Join(':', parts[..^2]);
                host = parts[^2];
                container = parts[^1];
                break;
        }

        if (ip.StartsWith('[') && ip.EndsWith(']')) ip = ip[1..^1];
        if (ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _)) throw Invalid(spec, $"invalid IP address: {ip}");
        if (container.Length == 0) throw Invalid(spec, "no port specified: " + spec + "<empty>");
        var (cStart, cEnd) = ParseRange(container, spec);
        int hStart = 0, hEnd = 0;
        if (host.Length > 0) (hStart, hEnd) = ParseRange(host, spec);
        var hostRange = host.Length > 0 && hEnd != hStart;
        if (host.Length > 0 && cEnd - cStart != hEnd - hStart && !(cStart == cEnd && hostRange))
            throw Invalid(spec, $"invalid ranges specified for container and host Ports: {container} and {host}");

        var result = new List<(string, PortBinding)>();
        for (var i = 0; i <= cEnd - cStart; i++)
        {
            // One container port with a host range: the daemon picks a free host port from the range.
            var hostPort = host.Length == 0 ? "" : cStart == cEnd && hostRange ? host : Num(hStart + i);
            result.Add(($"{Num(cStart + i)}/{proto}", new PortBinding { HostIp = ip, HostPort = hostPort }));
        }

        return result;
    }

    /// <summary>One --expose value ("80", "8000-8010/udp") → its port keys.</summary>
    internal static List<string> ParseExpose(string spec)
    {
        var (rest, proto) = SplitProto(spec, "--expose");
        if (rest.Contains(':', StringComparison.Ordinal)) throw new UsageException($"invalid port format for --expose: {spec}");
        var (start, end) = ParseRange(rest, spec);
        return Enumerable.Range(start, end - start + 1).Select(p => $"{Num(p)}/{proto}").ToList();
    }

    private static (string Port, string Proto) SplitProto(string spec, string flag)
    {
        var slash = spec.LastIndexOf('/');
        if (slash < 0) return (spec, "tcp");
        var proto = spec[(slash + 1)..].ToLowerInvariant();
        if (proto is not ("tcp" or "udp" or "sctp")) throw new UsageException($"invalid argument \"{spec}\" for \"{flag}\" flag: invalid proto: {proto}");
        return (spec[..slash], proto);
    }

    private static (int Start, int End) ParseRange(string text, string spec)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var start = Port(dash < 0 ? text : text[..dash], spec);
        var end = dash < 0 ? start : Port(text[(dash + 1)..], spec);
        if (end < start) throw Invalid(spec, "invalid range specified for port: " + text);
        return (start, end);
    }

    private static int Port(string text, string spec) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535
            ? p
            : throw Invalid(spec, "invalid port number: " + text);

    private static UsageException Invalid(string spec, string why) => new($"invalid argument \"{spec}\" for \"-p, --publish\" flag: {why}");

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
