using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>
/// The container management verbs around a running container: `restart`, `pause`, `unpause`, `rename`, `top`,
/// `port`, `diff`, `stats --no-stream`, `update`, `container prune`; output laid out as docker's.
/// </summary>
internal static class ManageVerbs
{
    public static Task<int> RestartAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("time", 't'), FlagSpec.Value("timeout"), FlagSpec.Value("signal", 's')]);
        var timeout = flags.Int("time") ?? flags.Int("timeout");
        return ContainerVerbs.ForEachAsync(ctx, "restart", flags.Positionals, id => ctx.Client.RestartContainerAsync(id, timeout, flags.Value("signal")));
    }

    public static Task<int> PauseAsync(CliContext ctx, string[] args) =>
        ContainerVerbs.ForEachAsync(ctx, "pause", FlagParser.Parse(args, []).Positionals, id => ctx.Client.PauseContainerAsync(id));

    public static Task<int> UnpauseAsync(CliContext ctx, string[] args) =>
        ContainerVerbs.ForEachAsync(ctx, "unpause", FlagParser.Parse(args, []).Positionals, id => ctx.Client.UnpauseContainerAsync(id));

    public static async Task<int> RenameAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        if (flags.Positionals.Count != 2) throw new UsageException("\"rename\" requires exactly 2 arguments.");
        await ctx.Client.RenameContainerAsync(flags.Positionals[0], flags.Positionals[1]).ConfigureAwait(false);
        return 0;
    }

    /// <summary>`top CONTAINER [ps OPTIONS]`: everything after the container goes to ps, as docker joins it.</summary>
    public static async Task<int> TopAsync(CliContext ctx, string[] args)
    {
        if (args.Length == 0) throw new UsageException("\"top\" requires at least 1 argument.");
        var psArgs = args.Length > 1 ? string.Join(' ', args[1..]) : null;
        var top = await ctx.Client.TopContainerAsync(args[0], psArgs).ConfigureAwait(false);
        var table = new TableWriter();
        table.Add([.. top.Titles]);
        foreach (var process in top.Processes) table.Add([.. process]);
        await ctx.Out.WriteAsync(table.Render()).ConfigureAwait(false);
        return 0;
    }

    /// <summary>`port CONTAINER [PRIVATE_PORT[/PROTO]]`: "80/tcp -> 127.0.0.1:8080" per binding, or only the
    /// host addresses when one port is asked for.</summary>
    public static async Task<int> PortAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        if (flags.Positionals.Count is < 1 or > 2) throw new UsageException("\"port\" requires at least 1 and at most 2 arguments.");
        var container = await ctx.Client.InspectContainerAsync(flags.Positionals[0]).ConfigureAwait(false);
        var ports = container.NetworkSettings?.Ports ?? [];
        if (flags.Positionals.Count == 2)
        {
            var wanted = flags.Positionals[1].Contains('/', StringComparison.Ordinal) ? flags.Positionals[1] : flags.Positionals[1] + "/tcp";
            if (!ports.TryGetValue(wanted, out var bindings) || bindings is null || bindings.Count == 0)
            {
                await ctx.Err.WriteLineAsync($"Error: No public port '{wanted}' published for {flags.Positionals[0]}").ConfigureAwait(false);
                return 1;
            }

            foreach (var b in bindings) await ctx.Out.WriteLineAsync(HostAddress(b)).ConfigureAwait(false);
            return 0;
        }

        foreach (var (port, bindings) in ports.OrderBy(p => PortNumber(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var b in bindings ?? []) await ctx.Out.WriteLineAsync($"{port} -> {HostAddress(b)}").ConfigureAwait(false);
        }

        return 0;
    }

    private static string HostAddress(PortBinding b)
    {
        var ip = string.IsNullOrEmpty(b.HostIp) ? "0.0.0.0" : b.HostIp;
        return ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{b.HostPort}" : $"{ip}:{b.HostPort}";
    }

    private static int PortNumber(string key) =>
        int.TryParse(key.Split('/')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;

    public static async Task<int> DiffAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        if (flags.Positionals.Count != 1) throw new UsageException("\"diff\" requires exactly 1 argument.");
        foreach (var change in await ctx.Client.ContainerChangesAsync(flags.Positionals[0]).ConfigureAwait(false))
        {
            var kind = change.Kind switch { 0 => 'C', 1 => 'A', 2 => 'D', _ => '?' };
            await ctx.Out.WriteLineAsync($"{kind} {change.Path}").ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>`stats --no-stream [CONTAINER...]`: one sample per container (all running ones by default), in
    /// docker's columns and units. The streaming view is not implemented; it needs a terminal redraw loop.</summary>
    public static async Task<int> StatsAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("no-stream"), FlagSpec.Bool("all", 'a'), FlagSpec.Bool("no-trunc")]);
        if (!flags.Bool("no-stream")) throw new UsageException("only `stats --no-stream` is supported; use `docker stats` for the live view");
        var ids = flags.Positionals.Count > 0
            ? flags.Positionals
            : (await ctx.Client.ListContainersAsync(flags.Bool("all")).ConfigureAwait(false)).Select(c => c.Id).ToList();
        var samples = await Task.WhenAll(ids.Select(id => ctx.Client.ContainerStatsOnceAsync(id))).ConfigureAwait(false);
        var table = new TableWriter();
        table.Add("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
        foreach (var s in samples)
        {
            var mem = MemoryUsage(s.MemoryStats);
            var memPct = s.MemoryStats.Limit == 0 ? 0 : mem * 100.0 / s.MemoryStats.Limit;
            ulong rx = 0, tx = 0;
            foreach (var n in s.Networks?.Values ?? Enumerable.Empty<StatsNetwork>()) { rx += n.RxBytes; tx += n.TxBytes; }
            ulong read = 0, write = 0;
            foreach (var e in s.BlkioStats.IoServiceBytesRecursive ?? [])
            {
                if (string.Equals(e.Op, "read", StringComparison.OrdinalIgnoreCase)) read += e.Value;
                else if (string.Equals(e.Op, "write", StringComparison.OrdinalIgnoreCase)) write += e.Value;
            }

            table.Add(
                flags.Bool("no-trunc") ? s.Id : TextUtil.TruncateId(s.Id),
                s.Name.TrimStart('/'),
                Percent(CpuPercent(s)),
                $"{HumanUnits.BytesSize(mem)} / {HumanUnits.BytesSize(s.MemoryStats.Limit)}",
                Percent(memPct),
                $"{HumanUnits.Size(rx)} / {HumanUnits.Size(tx)}",
                $"{HumanUnits.Size(read)} / {HumanUnits.Size(write)}",
                s.PidsStats.Current.ToString(CultureInfo.InvariantCulture));
        }

        await ctx.Out.WriteAsync(table.Render()).ConfigureAwait(false);
        return 0;
    }

    private static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>Docker's CLI subtracts the page cache from usage (cgroup v1 "total_inactive_file", v2 "inactive_file").</summary>
    internal static double MemoryUsage(StatsMemory m)
    {
        ulong cache = 0;
        if (m.Stats is { } stats)
        {
            if (stats.TryGetValue("total_inactive_file", out var v1) && v1 < m.Usage) cache = v1;
            else if (stats.TryGetValue("inactive_file", out var v2) && v2 < m.Usage) cache = v2;
        }

        return m.Usage - cache;
    }

    /// <summary>Docker's formula: container CPU delta over system CPU delta, times the number of CPUs.</summary>
    internal static double CpuPercent(ContainerStatsResponse s)
    {
        var cpuDelta = (double)s.CpuStats.CpuUsage.TotalUsage - s.PreCpuStats.CpuUsage.TotalUsage;
        var systemDelta = (double)s.CpuStats.SystemCpuUsage - s.PreCpuStats.SystemCpuUsage;
        var cpus = s.CpuStats.OnlineCpus > 0 ? s.CpuStats.OnlineCpus : (uint)(s.CpuStats.CpuUsage.PercpuUsage?.Count ?? 1);
        return cpuDelta > 0 && systemDelta > 0 ? cpuDelta / systemDelta * cpus * 100.0 : 0;
    }

    /// <summary>`update [OPTIONS] CONTAINER...`: only the flags given are sent (zero means "unchanged" to the daemon).</summary>
    public static Task<int> UpdateAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [.. ResourceFlags.Specs, FlagSpec.Value("restart"), FlagSpec.Value("blkio-weight")]);
        var hc = new HostConfig();
        ResourceFlags.Apply(flags, hc);
        if (flags.Value("restart") is { } restart) hc.RestartPolicy = CreateOptions.ParseRestart(restart);
        if (flags.Int("blkio-weight") is { } weight) hc.BlkioWeight = weight;
        return ContainerVerbs.ForEachAsync(ctx, "update", flags.Positionals, async id =>
        {
            var answer = await ctx.Client.UpdateContainerAsync(id, hc).ConfigureAwait(false);
            foreach (var warning in answer.Warnings) await ctx.Err.WriteLineAsync("WARNING: " + warning).ConfigureAwait(false);
        });
    }

    public static async Task<int> PruneContainersAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f'), FlagSpec.Value("filter")]);
        var result = await ctx.Client.PruneContainersAsync(PsCommand.ParseFilters(flags.Values("filter"))).ConfigureAwait(false);
        var deleted = result.ContainersDeleted ?? [];
        if (deleted.Count > 0)
        {
            await ctx.Out.WriteLineAsync("Deleted Containers:").ConfigureAwait(false);
            foreach (var id in deleted) await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync().ConfigureAwait(false);
        }

        await ctx.Out.WriteLineAsync("Total reclaimed space: " + HumanUnits.Size(result.SpaceReclaimed)).ConfigureAwait(false);
        return 0;
    }
}
