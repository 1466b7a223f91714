using System.Globalization;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`images`, `tag`, `rmi`, `import`.</summary>
internal static class ImageVerbs
{
    public static async Task<int> ListAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("quiet", 'q'), FlagSpec.Bool("all", 'a'), FlagSpec.Bool("no-trunc"),
            FlagSpec.Value("filter", 'f'), FlagSpec.Bool("digests"), FlagSpec.Value("format")]);
        var filters = PsCommand.ParseFilters(flags.Values("filter"));
        if (flags.Positionals.Count > 0)
        {
            filters.Add(new("reference", flags.Positionals[0]));
        }

        var images = await ctx.Client.ListImagesAsync(flags.Bool("all"), filters).ConfigureAwait(false);
        var trunc = !flags.Bool("no-trunc");
        images.Sort((a, b) => b.Created.CompareTo(a.Created));
        if (flags.Bool("quiet"))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                var id = trunc ? TextUtil.TruncateId(image.Id) : image.Id;
                if (seen.Add(id))
                {
                    await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
                }
            }

            return 0;
        }

        var table = new TableWriter();
        table.Add("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        foreach (var image in images)
        {
            var id = trunc ? TextUtil.TruncateId(image.Id) : image.Id;
            var created = HumanUnits.Ago(DateTimeOffset.FromUnixTimeSeconds(image.Created), ctx.Now);
            var size = HumanUnits.Size(image.Size);
            var tags = image.RepoTags.Where(t => t != "<none>:<none>").ToList();
            if (tags.Count == 0)
            {
                table.Add("<none>", "<none>", id, created, size);
            }

            foreach (var tag in tags)
            {
                var (repo, t) = TextUtil.SplitRepoTag(tag);
                table.Add(repo, t ?? "<none>", id, created, size);
            }
        }

        await ctx.Out.WriteAsync(table.Render()).ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> TagAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        if (flags.Positionals.Count != 2)
        {
            throw new UsageException("\"tag\" requires exactly 2 arguments.");
        }

        var (repo, tag) = TextUtil.SplitRepoTag(flags.Positionals[1]);
        await ctx.Client.TagImageAsync(flags.Positionals[0], repo, tag ?? "latest").ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> RemoveAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f'), FlagSpec.Bool("no-prune")]);
        if (flags.Positionals.Count == 0)
        {
            throw new UsageException("\"rmi\" requires at least 1 argument.");
        }

        var failed = false;
        foreach (var name in flags.Positionals)
        {
            try
            {
                foreach (var item in await ctx.Client.RemoveImageAsync(name, flags.Bool("force"), flags.Bool("no-prune")).ConfigureAwait(false))
                {
                    if (item.Untagged is { } untagged)
                    {
                        await ctx.Out.WriteLineAsync("Untagged: " + untagged).ConfigureAwait(false);
                    }

                    if (item.Deleted is { } deleted)
                    {
                        await ctx.Out.WriteLineAsync("Deleted: " + deleted).ConfigureAwait(false);
                    }
                }
            }
            catch (DockerApiException ex)
            {
                await ctx.Err.WriteLineAsync(Errors.Describe(ex)).ConfigureAwait(false);
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    /// <summary>`import file|- [repo[:tag]]` → POST /images/create?fromSrc=-, printing the new image id.</summary>
    public static async Task<int> ImportAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("change", 'c'), FlagSpec.Value("message", 'm'), FlagSpec.Value("platform")]);
        if (flags.Positionals.Count is < 1 or > 2)
        {
            throw new UsageException("\"import\" requires at least 1 and at most 2 arguments.");
        }

        var source = flags.Positionals[0];
        string? repo = null, tag = null;
        if (flags.Positionals.Count == 2)
        {
            (repo, tag) = TextUtil.SplitRepoTag(flags.Positionals[1]);
            tag ??= "latest";
        }

        Stream input;
        if (source == "-")
        {
            input = StdIo.InStream;
        }
        else if (source.Contains("://", StringComparison.Ordinal))
        {
            throw new UsageException("importing from a URL is not supported; download the file and import it");
        }
        else
        {
            try
            {
                input = File.OpenRead(source);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"open {source}: {ex.Message}");
            }
        }

        await using (input.ConfigureAwait(false))
        {
            var id = await ctx.Client.ImportImageAsync(input, repo, tag, flags.Values("change"), flags.Value("message")).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
        }

        return 0;
    }

}
