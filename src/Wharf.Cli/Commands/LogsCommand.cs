using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`wharf logs`: inspects for Tty first (raw vs stdcopy), then streams the log like docker.</summary>
internal static class LogsCommand
{
    private static readonly FlagSpec[] Flags =
    [
        FlagSpec.Bool("follow", 'f'),
        FlagSpec.Value("tail", 'n'),
        FlagSpec.Bool("timestamps", 't'),
        FlagSpec.Value("since"),
        FlagSpec.Value("until"),
        FlagSpec.Bool("details"),
    ];

    public static async Task<int> RunAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, Flags);
        if (flags.Positionals.Count != 1)
        {
            throw new UsageException("\"logs\" requires exactly 1 argument.");
        }

        var id = flags.Positionals[0];
        var container = await ctx.Client.InspectContainerAsync(id).ConfigureAwait(false);
        var options = new LogsOptions
        {
            Follow = flags.Bool("follow"),
            Timestamps = flags.Bool("timestamps"),
            Tail = flags.Value("tail") ?? "all",
            Since = flags.Value("since") is { } since ? TimeArgs.ToTimestamp(since, ctx.Now) : null,
            Until = flags.Value("until") is { } until ? TimeArgs.ToTimestamp(until, ctx.Now) : null,
        };
        using var cancel = new CancellationTokenSource();
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });

        try
        {
            var stream = await ctx.Client.GetContainerLogsAsync(container.Id, options, cancel.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var stdout = StdIo.OutStream;
                if (container.Config.Tty)
                {
                    await stream.CopyToAsync(stdout, cancel.Token).ConfigureAwait(false);
                }
                else
                {
                    await new StdCopyReader(stream).CopyToAsync(stdout, StdIo.ErrStream, cancel.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }

        return 0;
    }
}
