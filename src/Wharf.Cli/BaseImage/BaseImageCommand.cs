using System.Globalization;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.BaseImage;

/// <summary>
/// `wharf base-image busybox [--tag busybox:latest] [--output file.tar|-] [--symlinks] [--busybox PATH]`:
/// builds the reproducible rootfs and imports it with the official image's <c>ENV PATH=…</c> and <c>CMD ["sh"]</c> (or only writes the tar).
/// </summary>
internal static class BaseImageCommand
{
    public static async Task<int> RunAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("tag", 't'), FlagSpec.Value("output", 'o'), FlagSpec.Bool("symlinks"), FlagSpec.Value("busybox")]);
        if (flags.Positionals.Count != 1 || flags.Positionals[0] != "busybox")
        {
            throw new UsageException("usage: wharf base-image busybox [--tag busybox:latest] [--output FILE|-] [--symlinks]");
        }

        byte[] binary;
        IReadOnlyList<string> applets;
        try
        {
            (binary, applets) = BusyboxRootfs.Load(flags.Value("busybox") ?? BusyboxRootfs.DefaultBinary);
        }
        catch (BaseImageException ex)
        {
            await ctx.Err.WriteLineAsync("wharf: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        var mtime = ctx.Environment("SOURCE_DATE_EPOCH") is { Length: > 0 } epoch
            && long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : BusyboxRootfs.DefaultMtime;
        using var tar = new MemoryStream();
        BusyboxRootfs.Write(tar, binary, applets, mtime, hardLinks: !flags.Bool("symlinks"));
        tar.Position = 0;

        if (flags.Value("output") is { } output)
        {
            if (output == "-")
            {
                await tar.CopyToAsync(StdIo.OutStream).ConfigureAwait(false);
            }
            else
            {
                await File.WriteAllBytesAsync(output, tar.ToArray()).ConfigureAwait(false);
            }

            return 0;
        }

        var (repo, tag) = TextUtil.SplitRepoTag(flags.Value("tag") ?? "busybox:latest");
        var id = await ctx.Client.ImportImageAsync(tar, repo, tag ?? "latest", ["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CMD [\"sh\"]"], "wharf base-image busybox").ConfigureAwait(false);
        await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
        return 0;
    }
}
