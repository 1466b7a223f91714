using Wharf.Api.Networks;
using Wharf.Api.Volumes;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`network create|ls|rm|prune|connect|disconnect` and `volume create|ls|rm|prune` (inspect goes through
/// <see cref="InspectCommand"/>), with docker's flags and table layouts.</summary>
internal static class NetworkVolumeVerbs
{
    public static async Task<int> NetworkCreateAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args,
        [
            FlagSpec.Value("driver", 'd'), FlagSpec.Value("subnet"), FlagSpec.Value("gateway"), FlagSpec.Value("ip-range"),
            FlagSpec.Bool("internal"), FlagSpec.Bool("attachable"), FlagSpec.Bool("ipv6"), FlagSpec.Value("label"), FlagSpec.Value("opt", 'o'),
        ]);
        if (flags.Positionals.Count != 1) throw new UsageException("\"network create\" requires exactly 1 argument.");
        var request = new NetworkCreateRequest
        {
            Name = flags.Positionals[0],
            Driver = flags.Value("driver") ?? "bridge",
            Internal = flags.Bool("internal"),
            Attachable = flags.Bool("attachable"),
            EnableIPv6 = flags.Has("ipv6") ? flags.Bool("ipv6") : null,
            Labels = KeyValues(flags.Values("label")),
            Options = KeyValues(flags.Values("opt")),
        };
        var subnets = flags.Values("subnet");
        if (subnets.Count > 0)
        {
            request.IPAM = new Ipam { Driver = "default", Config = IpamConfigs(subnets, flags.Values("gateway"), flags.Values("ip-range")) };
        }
        else if (flags.Has("gateway") || flags.Has("ip-range"))
        {
            throw new UsageException("invalid config: a gateway or an IP range needs a --subnet");
        }

        var created = await ctx.Client.CreateNetworkAsync(request).ConfigureAwait(false);
        await ctx.Out.WriteLineAsync(created.Id).ConfigureAwait(false);
        return 0;
    }

    /// <summary>One IPAM config per --subnet with the --gateway and --ip-range that fall inside it, as docker's CLI
    /// pairs them (so "--subnet 10.1.0.0/24 --subnet fd00:1::/64 --gateway fd00:1::1" gives the gateway to the IPv6
    /// subnet); a gateway or range inside no subnet, or two inside one, is a usage error.</summary>
    internal static List<IpamConfig> IpamConfigs(IReadOnlyList<string> subnets, IReadOnlyList<string> gateways, IReadOnlyList<string> ranges)
    {
        var configs = new List<IpamConfig>();
        var nets = new List<System.Net.IPNetwork?>();
        foreach (var subnet in subnets)
        {
            configs.Add(new IpamConfig { Subnet = subnet });
            // An unparsable subnet goes to the daemon as typed, which answers with its own error.
            nets.Add(System.Net.IPNetwork.TryParse(subnet, out var n) ? n : null);
        }
        int Owner(string address, string what)
        {
            var text = address.Split('/')[0];
            if (!System.Net.IPAddress.TryParse(text, out var ip)) throw new UsageException($"invalid {what}: {address}");
            for (int i = 0; i < nets.Count; i++)
                if (nets[i] is { } n && n.Contains(ip)) return i;
            throw new UsageException($"no matching subnet for {what} {address}");
        }
        foreach (var g in gateways)
        {
            var c = configs[Owner(g, "gateway")];
            if (c.Gateway is not null) throw new UsageException($"cannot configure multiple gateways for subnet {c.Subnet}");
            c.Gateway = g;
        }
        foreach (var r in ranges)
        {
            var c = configs[Owner(r, "range")];
            if (c.IPRange is not null) throw new UsageException($"cannot configure multiple ranges ({r}, {c.IPRange}) on the same subnet ({c.Subnet})");
            c.IPRange = r;
        }
        return configs;
    }

    public static async Task<int> NetworkListAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("quiet", 'q'), FlagSpec.Bool("no-trunc"), FlagSpec.Value("filter", 'f')]);
        var networks = await ctx.Client.ListNetworksAsync(PsCommand.ParseFilters(flags.Values("filter"))).ConfigureAwait(false);
        networks.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var trunc = !flags.Bool("no-trunc");
        var table = new TableWriter();
        if (!flags.Bool("quiet")) table.Add("NETWORK ID", "NAME", "DRIVER", "SCOPE");
        foreach (var n in networks)
        {
            var id = trunc ? TextUtil.TruncateId(n.Id) : n.Id;
            if (flags.Bool("quiet")) table.Add(id);
            else table.Add(id, n.Name, n.Driver, n.Scope);
        }

        await ctx.Out.WriteAsync(table.Render()).ConfigureAwait(false);
        return 0;
    }

    public static Task<int> NetworkRemoveAsync(CliContext ctx, string[] args) =>
        ContainerVerbs.ForEachAsync(ctx, "network rm", FlagParser.Parse(args, [FlagSpec.Bool("force", 'f')]).Positionals, id => ctx.Client.RemoveNetworkAsync(id));

    public static async Task<int> NetworkPruneAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f'), FlagSpec.Value("filter")]);
        var result = await ctx.Client.PruneNetworksAsync(PsCommand.ParseFilters(flags.Values("filter"))).ConfigureAwait(false);
        var deleted = result.NetworksDeleted ?? [];
        if (deleted.Count > 0)
        {
            await ctx.Out.WriteLineAsync("Deleted Networks:").ConfigureAwait(false);
            foreach (var name in deleted) await ctx.Out.WriteLineAsync(name).ConfigureAwait(false);
        }

        return 0;
    }

    public static async Task<int> NetworkConnectAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("alias"), FlagSpec.Value("ip"), FlagSpec.Value("ip6")]);
        if (flags.Positionals.Count != 2) throw new UsageException("\"network connect\" requires exactly 2 arguments.");
        var endpoint = new Wharf.Api.Containers.EndpointSettings();
        if (flags.Values("alias").Count > 0) endpoint.Aliases = [.. flags.Values("alias")];
        if (flags.Value("ip") is not null || flags.Value("ip6") is not null)
        {
            endpoint.IPAMConfig = new Wharf.Api.Containers.EndpointIpamConfig { IPv4Address = flags.Value("ip"), IPv6Address = flags.Value("ip6") };
        }

        await ctx.Client.ConnectNetworkAsync(flags.Positionals[0], new NetworkConnectRequest { Container = flags.Positionals[1], EndpointConfig = endpoint })
            .ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> NetworkDisconnectAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f')]);
        if (flags.Positionals.Count != 2) throw new UsageException("\"network disconnect\" requires exactly 2 arguments.");
        await ctx.Client.DisconnectNetworkAsync(flags.Positionals[0], new NetworkDisconnectRequest { Container = flags.Positionals[1], Force = flags.Bool("force") })
            .ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> VolumeCreateAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("driver", 'd'), FlagSpec.Value("label"), FlagSpec.Value("opt", 'o'), FlagSpec.Value("name")]);
        if (flags.Positionals.Count > 1) throw new UsageException("\"volume create\" requires at most 1 argument.");
        var name = flags.Positionals.Count == 1 ? flags.Positionals[0] : flags.Value("name");
        var volume = await ctx.Client.CreateVolumeAsync(new VolumeCreateRequest
        {
            Name = name,
            Driver = flags.Value("driver") ?? "local",
            Labels = KeyValues(flags.Values("label")),
            DriverOpts = KeyValues(flags.Values("opt")),
        }).ConfigureAwait(false);
        await ctx.Out.WriteLineAsync(volume.Name).ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> VolumeListAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("quiet", 'q'), FlagSpec.Value("filter", 'f')]);
        var list = await ctx.Client.ListVolumesAsync(PsCommand.ParseFilters(flags.Values("filter"))).ConfigureAwait(false);
        list.Volumes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var table = new TableWriter();
        if (!flags.Bool("quiet")) table.Add("DRIVER", "VOLUME NAME");
        foreach (var v in list.Volumes)
        {
            if (flags.Bool("quiet")) table.Add(v.Name);
            else table.Add(v.Driver, v.Name);
        }

        await ctx.Out.WriteAsync(table.Render()).ConfigureAwait(false);
        return 0;
    }

    public static Task<int> VolumeRemoveAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f')]);
        return ContainerVerbs.ForEachAsync(ctx, "volume rm", flags.Positionals, name => ctx.Client.RemoveVolumeAsync(name, flags.Bool("force")));
    }

    public static async Task<int> VolumePruneAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f'), FlagSpec.Bool("all", 'a'), FlagSpec.Value("filter")]);
        var filters = PsCommand.ParseFilters(flags.Values("filter"));
        // Since API 1.42 prune only takes anonymous volumes unless all=true is asked for.
        if (flags.Bool("all")) filters.Add(new("all", "true"));
        var result = await ctx.Client.PruneVolumesAsync(filters).ConfigureAwait(false);
        if (result.VolumesDeleted.Count > 0)
        {
            await ctx.Out.WriteLineAsync("Deleted Volumes:").ConfigureAwait(false);
            foreach (var name in result.VolumesDeleted) await ctx.Out.WriteLineAsync(name).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync().ConfigureAwait(false);
        }

        await ctx.Out.WriteLineAsync("Total reclaimed space: " + HumanUnits.Size(result.SpaceReclaimed)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>"k=v" flags (--label, --opt) into a map; a bare "k" maps to "".</summary>
    private static Dictionary<string, string>? KeyValues(IReadOnlyList<string> values)
    {
        if (values.Count == 0) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in values)
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            map[eq < 0 ? kv : kv[..eq]] = eq < 0 ? "" : kv[(eq + 1)..];
        }

        return map;
    }
}
