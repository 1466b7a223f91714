using Wharf.Cli.Formatting;
using Wharf.Cli.Terminal;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`wharf run` and `wharf create`, following docker's call sequence (engine-api.md §4.1).</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(CliContext ctx, string[] args, bool isRun)
    {
        var options = CreateOptions.Parse(args, isRun, ctx.Environment, TerminalSize);
        const string prefix = "wharf: ";
        if (isRun && !options.Detach && options.Interactive && options.Tty && Console.IsInputRedirected)
        {
            await ctx.Err.WriteLineAsync(prefix + "the input device is not a TTY").ConfigureAwait(false);
            return 1;
        }

        string id;
        try
        {
            id = await CreateAsync(ctx, options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or DaemonUnreachableException or DockerStreamException)
        {
            await ctx.Err.WriteLineAsync(prefix + Errors.Describe(ex)).ConfigureAwait(false);
            return 125;
        }

        if (!isRun)
        {
            await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
            return 0;
        }

        var request = options.Request;
        if (options.Detach)
        {
            try
            {
                await ctx.Client.StartContainerAsync(id).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                await ctx.Err.WriteLineAsync(prefix + Errors.Describe(ex)).ConfigureAwait(false);
                return Errors.StartFailureExitCode(ex.Message);
            }

            await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
            return 0;
        }

        try
        {
            return await AttachedRun.RunAsync(ctx, id, new AttachedRun.Streams(
                request.AttachStdin, request.AttachStdout, request.AttachStderr, request.Tty, options.AutoRemove,
                options.SigProxy, options.DetachKeys), prefix).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or DaemonUnreachableException)
        {
            await ctx.Err.WriteLineAsync(prefix + Errors.Describe(ex)).ConfigureAwait(false);
            return 125;
        }
    }

    /// <summary>Creates the container; on a missing image says so like docker and tries a pull once.</summary>
    private static async Task<string> CreateAsync(CliContext ctx, CreateOptions options)
    {
        try
        {
            return (await ctx.Client.CreateContainerAsync(options.Request, options.Name).ConfigureAwait(false)).Id;
        }
        catch (DockerApiException ex) when (ex.IsNotFound)
        {
            var reference = WithDefaultTag(options.Request.Image);
            await ctx.Err.WriteLineAsync($"Unable to find image '{reference}' locally").ConfigureAwait(false);
            // As docker: pull with the stored credentials, progress on stderr, then create again.
            await RegistryVerbs.PullQuietlyToErrAsync(ctx, reference).ConfigureAwait(false);
            return (await ctx.Client.CreateContainerAsync(options.Request, options.Name).ConfigureAwait(false)).Id;
        }
    }

    /// <summary>"busybox" → "busybox:latest" (docker's familiar form with the default tag).</summary>
    internal static string WithDefaultTag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal) || TextUtil.SplitRepoTag(image).Tag is not null)
        {
            return image;
        }

        return image + ":latest";
    }

    private static (int Rows, int Columns)? TerminalSize() => Console.IsOutputRedirected ? null : TerminalMode.Size();
}
