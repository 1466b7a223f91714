using System.Globalization;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.BaseImage;

/// <summary>
/// `wharf base-image busybox [--tag busybox:latest] [--output file.tar|-] [--symlinks] [--busybox PATH]`:
/// builds the reproducible rootfs and imports it with the official image's <c>ENV PATH=…</c> and <c>CMD ["sh"]</c> (or only writes the tar).
/// `wharf base-image debian [--suite bookworm] [--include pkg,pkg] [--tag debian:bookworm] [--mirror URL] [--cache-dir DIR]
/// [--output file.tar|-]`: a Debian rootfs made by mmdebstrap (cached per suite, packages and mirror), loaded as an
/// image whose ID depends only on the rootfs bytes, with the official image's PATH and <c>CMD ["bash"]</c>.
/// </summary>
internal static class BaseImageCommand
{
    private const string Usage = "usage: wharf base-image busybox [--tag busybox:latest] [--output FILE|-] [--symlinks]\n" +
        "       wharf base-image debian [--suite bookworm] [--include pkg,pkg] [--tag debian:SUITE] [--mirror URL] [--cache-dir DIR] [--output FILE|-]";

    private const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static async Task<int> RunAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("tag", 't'), FlagSpec.Value("output", 'o'), FlagSpec.Bool("symlinks"), FlagSpec.Value("busybox"),
            FlagSpec.Value("suite"), FlagSpec.Value("include"), FlagSpec.Value("mirror"), FlagSpec.Value("cache-dir")]);
        if (flags.Positionals.Count == 1 && flags.Positionals[0] == "debian")
        {
            return await DebianAsync(ctx, flags).ConfigureAwait(false);
        }

        if (flags.Positionals.Count != 1 || flags.Positionals[0] != "busybox")
        {
            throw new UsageException(Usage);
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

        var mtime = SourceDateEpoch(ctx);
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

        // Loaded as a docker-archive whose config is fixed by the rootfs and SOURCE_DATE_EPOCH, like the Debian image:
        // the same busybox gives the same image ID on every run (an import would stamp the current time).
        var rootfs = Path.Combine(Path.GetTempPath(), $"wharf-busybox-{Environment.ProcessId}.tar");
        try
        {
            await File.WriteAllBytesAsync(rootfs, tar.ToArray()).ConfigureAwait(false);
            var archive = new BaseImageArchive(flags.Value("tag") ?? "busybox:latest", [DefaultPath], ["sh"], mtime, "wharf base-image busybox");
            await LoadAsync(ctx, archive, rootfs).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(rootfs);
        }
        return 0;
    }

    /// <summary>SOURCE_DATE_EPOCH when set, else the fixed 2000-01-01: the time stamped on every file and the image.</summary>
    private static DateTimeOffset SourceDateEpoch(CliContext ctx) =>
        ctx.Environment("SOURCE_DATE_EPOCH") is { Length: > 0 } epoch
        && long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : BusyboxRootfs.DefaultMtime;

    private static async Task<int> DebianAsync(CliContext ctx, ParsedFlags flags)
    {
        DebianOptions options;
        string rootfs;
        try
        {
            var suite = flags.Value("suite") ?? DebianOptions.DefaultSuite;
            if (suite.Length == 0 || !suite.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-')) throw new BaseImageException($"invalid --suite \"{suite}\"");
            options = new DebianOptions(suite, DebianOptions.ParseIncludes(flags.Values("include")),
                (flags.Value("mirror") ?? DebianOptions.DefaultMirror()).TrimEnd('/'), SourceDateEpoch(ctx).ToUnixTimeSeconds());
            rootfs = await DebianRootfs.EnsureAsync(options, flags.Value("cache-dir") ?? DebianRootfs.DefaultCacheDir, ctx.Err).ConfigureAwait(false);
        }
        catch (BaseImageException ex)
        {
            await ctx.Err.WriteLineAsync("wharf: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        if (flags.Value("output") is { } output)
        {
            await using var source = File.OpenRead(rootfs);
            if (output == "-") await source.CopyToAsync(StdIo.OutStream).ConfigureAwait(false);
            else
            {
                await using var target = File.Create(output);
                await source.CopyToAsync(target).ConfigureAwait(false);
            }
            return 0;
        }

        var archive = new BaseImageArchive(flags.Value("tag") ?? "debian:" + options.Suite, [DefaultPath], ["bash"],
            DateTimeOffset.FromUnixTimeSeconds(options.Epoch), options.CreatedBy());
        await LoadAsync(ctx, archive, rootfs).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Sends <paramref name="archive"/> over <paramref name="rootfs"/> to the daemon's image load and prints its
    /// lines ("Loaded image: …").</summary>
    private static async Task LoadAsync(CliContext ctx, BaseImageArchive archive, string rootfs)
    {
        // The archive is produced while it is sent: a pipe between the tar writer and the request body.
        var pipe = new System.IO.Pipelines.Pipe();
        var writing = Task.Run(async () =>
        {
            var sink = pipe.Writer.AsStream();
            try
            {
                await archive.WriteAsync(rootfs, sink).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
            }
        });
        var lines = await ctx.Client.LoadImageAsync(pipe.Reader.AsStream()).ConfigureAwait(false);
        await writing.ConfigureAwait(false);
        foreach (var line in lines) await ctx.Out.WriteLineAsync(line).ConfigureAwait(false);
    }
}
