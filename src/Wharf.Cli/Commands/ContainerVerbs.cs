using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`stop`, `kill`, `rm`, `wait`, `start`: one or more containers, each reported on its own line.</summary>
internal static class ContainerVerbs
{
    public static Task<int> StopAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("time", 't'), FlagSpec.Value("timeout"), FlagSpec.Value("signal", 's')]);
        var timeout = flags.Int("time") ?? flags.Int("timeout");
        return ForEachAsync(ctx, "stop", flags.Positionals, id => ctx.Client.StopContainerAsync(id, timeout, flags.Value("signal")));
    }

    public static Task<int> KillAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("signal", 's')]);
        return ForEachAsync(ctx, "kill", flags.Positionals, id => ctx.Client.KillContainerAsync(id, flags.Value("signal")));
    }

    public static Task<int> RemoveAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("force", 'f'), FlagSpec.Bool("volumes", 'v'), FlagSpec.Bool("link", 'l')]);
        return ForEachAsync(ctx, "rm", flags.Positionals, id => ctx.Client.RemoveContainerAsync(id, flags.Bool("force"), flags.Bool("volumes")));
    }

    public static async Task<int> WaitAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        RequireOne("wait", flags.Positionals);
        var failed = false;
        foreach (var id in flags.Positionals)
        {
            try
            {
                var result = await ctx.Client.WaitContainerAsync(id).ConfigureAwait(false);
                await ctx.Out.WriteLineAsync(result.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                await ctx.Err.WriteLineAsync(Errors.Describe(ex)).ConfigureAwait(false);
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    public static async Task<int> StartAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("attach", 'a'), FlagSpec.Bool("interactive", 'i'), FlagSpec.Value("detach-keys")]);
        RequireOne("start", flags.Positionals);
        var attach = flags.Bool("attach");
        var interactive = flags.Bool("interactive");
        if (attach || interactive)
        {
            if (flags.Positionals.Count > 1)
            {
                throw new UsageException("you cannot start and attach multiple containers at once");
            }

            var container = await ctx.Client.InspectContainerAsync(flags.Positionals[0]).ConfigureAwait(false);
            var stdin = interactive && container.Config.OpenStdin;
            return await AttachedRun.RunAsync(ctx, container.Id, new AttachedRun.Streams(
                stdin, true, true, container.Config.Tty, container.HostConfig.AutoRemove, !container.Config.Tty,
                flags.Value("detach-keys")), "").ConfigureAwait(false);
        }

        return await ForEachAsync(ctx, "start", flags.Positionals, id => ctx.Client.StartContainerAsync(id)).ConfigureAwait(false);
    }

    private static void RequireOne(string verb, List<string> ids)
    {
        if (ids.Count == 0)
        {
            throw new UsageException($"\"{verb}\" requires at least 1 argument.");
        }
    }

    /// <summary>Runs the action for each name, printing the name on success and docker's error otherwise; exit 1 if any failed.</summary>
    internal static async Task<int> ForEachAsync(CliContext ctx, string verb, List<string> ids, Func<string, Task> action)
    {
        RequireOne(verb, ids);
        var failed = false;
        foreach (var id in ids)
        {
            try
            {
                await action(id).ConfigureAwait(false);
                await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                await ctx.Err.WriteLineAsync(Errors.Describe(ex)).ConfigureAwait(false);
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }
}
