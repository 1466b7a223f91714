using System.Globalization;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>`save`, `load`, `image prune` and `system df`, with docker's flags and output.</summary>
internal static class ImageArchiveVerbs
{
    public static async Task<int> SaveAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("output", 'o'), FlagSpec.Value("platform")]);
        if (flags.Positionals.Count == 0) throw new UsageException("\"save\" requires at least 1 argument.");
        var path = flags.Value("output");
        if (path is null && !Console.IsOutputRedirected)
            throw new UsageException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        if (path is null)
        {
            await ctx.Client.SaveImagesAsync(flags.Positionals, StdIo.OutStream).ConfigureAwait(false);
            await StdIo.OutStream.FlushAsync().ConfigureAwait(false);
            return 0;
        }

        // Written beside the target and renamed, so a failed save never leaves a truncated archive under the name.
        var temp = path + ".wharf-save-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                await ctx.Client.SaveImagesAsync(flags.Positionals, file).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return 0;
    }

    public static async Task<int> LoadAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("input", 'i'), FlagSpec.Bool("quiet", 'q'), FlagSpec.Value("platform")]);
        var path = flags.Value("input");
        if (path is null && !Console.IsInputRedirected)
            throw new UsageException("requested load from stdin, but stdin is empty");
        var input = path is null ? StdIo.InStream : File.OpenRead(path);
        await using (input.ConfigureAwait(false))
        {
            foreach (var line in await ctx.Client.LoadImageAsync(input).ConfigureAwait(false))
                await ctx.Out.WriteLineAsync(line).ConfigureAwait(false);
        }

        return 0;
    }

    public static async Task<int> PruneImagesAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("all", 'a'), FlagSpec.Bool("force", 'f'), FlagSpec.Value("filter")]);
        var filters = PsCommand.ParseFilters(flags.Values("filter"));
        // docker image prune -a sends dangling=false: every image no container uses.
        if (flags.Bool("all")) filters.Add(new("dangling", "false"));
        var result = await ctx.Client.PruneImagesAsync(filters).ConfigureAwait(false);
        if (result.ImagesDeleted is { Count: > 0 } deleted)
        {
            await ctx.Out.WriteLineAsync("Deleted Images:").ConfigureAwait(false);
            foreach (var item in deleted)
            {
                if (item.Untagged is { } u) await ctx.Out.WriteLineAsync("untagged: " + u).ConfigureAwait(false);
                if (item.Deleted is { } d) await ctx.Out.WriteLineAsync("deleted: " + d).ConfigureAwait(false);
            }

            await ctx.Out.WriteLineAsync().ConfigureAwait(false);
        }

        await ctx.Out.WriteLineAsync("Total reclaimed space: " + HumanUnits.Size(result.SpaceReclaimed)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>`system df`: docker's summary table (TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE) with its formulas.</summary>
    public static async Task<int> DiskUsageAsync(CliContext ctx, string[] args)
    {
        FlagParser.Parse(args, [FlagSpec.Bool("verbose", 'v'), FlagSpec.Value("format")]);
        var df = await ctx.Client.DiskUsageAsync().ConfigureAwait(false);
        var images = df.Images ?? [];
        var containers = df.Containers ?? [];
        var volumes = df.Volumes ?? [];
        var cache = df.BuildCache ?? [];

        long imagesUsed = images.Where(i => i.Containers > 0 && i.SharedSize >= 0).Sum(i => i.Size - i.SharedSize);
        long containersSize = containers.Sum(c => c.SizeRw ?? 0);
        long volumesSize = volumes.Sum(v => Math.Max(v.UsageData?.Size ?? 0, 0));
        var table = new TableWriter();
        table.Add("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        table.Add("Images", Num(images.Count), Num(images.Count(i => i.Containers > 0)), HumanUnits.Size(df.LayersSize),
            Reclaimable(df.LayersSize - imagesUsed, df.LayersSize));
        table.Add("Containers", Num(containers.Count), Num(containers.Count(c => c.State == "running")), HumanUnits.Size(containersSize),
            Reclaimable(containers.Where(c => c.State != "running").Sum(c => c.SizeRw ?? 0), containersSize));
        table.Add("Local Volumes", Num(volumes.Count), Num(volumes.Count(v => v.UsageData?.RefCount > 0)), HumanUnits.Size(volumesSize),
            Reclaimable(volumes.Where(v => v.UsageData?.RefCount == 0).Sum(v => Math.Max(v.UsageData?.Size ?? 0, 0)), volumesSize));
        long cacheSize = cache.Sum(b => b.Size);
        table.Add("Build Cache", Num(cache.Count), Num(cache.Count(b => b.InUse)), HumanUnits.Size(cacheSize),
            HumanUnits.Size(cache.Where(b => !b.InUse && !b.Shared).Sum(b => b.Size)));
        await ctx.Out.WriteAsync(table.Render()).ConfigureAwait(false);
        return 0;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>"1.2MB (40%)" as docker prints reclaimable space (no percentage when the total is zero).</summary>
    internal static string Reclaimable(long reclaimable, long total) =>
        total > 0
            ? $"{HumanUnits.Size(reclaimable)} ({(reclaimable * 100 / total).ToString(CultureInfo.InvariantCulture)}%)"
            : HumanUnits.Size(reclaimable);
}
