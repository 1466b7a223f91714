using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`pull`, `push`, `login`, `logout`: the daemon talks to the registry; credentials live where the docker CLI
/// keeps them (<see cref="DockerCredentials"/>: config.json or its credential helpers), so both clients share logins.</summary>
internal static class RegistryVerbs
{
    private const string HubKey = DockerCredentials.HubKey;

    public static async Task<int> PullAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("quiet", 'q'), FlagSpec.Value("platform"), FlagSpec.Bool("all-tags", 'a')]);
        if (flags.Positionals.Count != 1) throw new UsageException("\"pull\" requires exactly 1 argument.");
        var image = WithDefaultTag(flags.Positionals[0]);
        var quiet = flags.Bool("quiet");
        await ctx.Client.PullImageAsync(image, AuthFor(ctx, image), line => quiet ? Task.CompletedTask : PrintAsync(ctx, line),
            flags.Value("platform")).ConfigureAwait(false);
        await ctx.Out.WriteLineAsync(image).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The pull `run`/`create` do for a missing image: progress lines on stderr, as the docker CLI.</summary>
    internal static Task PullQuietlyToErrAsync(CliContext ctx, string image) =>
        ctx.Client.PullImageAsync(image, AuthFor(ctx, image), line =>
            line.Status is null or "Downloading" or "Extracting" or "Waiting" ? Task.CompletedTask
                : ctx.Err.WriteLineAsync(line.Id is null ? line.Status : $"{line.Id}: {line.Status}"));

    public static async Task<int> PushAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Bool("quiet", 'q'), FlagSpec.Bool("all-tags", 'a')]);
        if (flags.Positionals.Count != 1) throw new UsageException("\"push\" requires exactly 1 argument.");
        var name = flags.Positionals[0];
        var (repo, tag) = SplitTag(name);
        if (!flags.Bool("all-tags")) tag ??= "latest";
        var quiet = flags.Bool("quiet");
        await ctx.Client.PushImageAsync(repo, tag, AuthFor(ctx, name), line => quiet ? Task.CompletedTask : PrintAsync(ctx, line)).ConfigureAwait(false);
        if (quiet) await ctx.Out.WriteLineAsync(name).ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> LoginAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("username", 'u'), FlagSpec.Value("password", 'p'), FlagSpec.Bool("password-stdin")]);
        if (flags.Positionals.Count > 1) throw new UsageException("\"login\" requires at most 1 argument.");
        var server = flags.Positionals.Count == 1 ? flags.Positionals[0] : HubKey;
        var user = flags.Value("username") ?? throw new UsageException("login needs --username (interactive prompts are not supported)");
        string password;
        if (flags.Bool("password-stdin"))
        {
            if (flags.Has("password")) throw new UsageException("--password and --password-stdin are mutually exclusive");
            using var reader = new StreamReader(StdIo.InStream, leaveOpen: true);
            password = (await reader.ReadToEndAsync().ConfigureAwait(false)).TrimEnd('\n', '\r');
        }
        else
        {
            password = flags.Value("password") ?? throw new UsageException("login needs --password or --password-stdin");
            await ctx.Err.WriteLineAsync("WARNING! Using --password via the CLI is insecure. Use --password-stdin.").ConfigureAwait(false);
        }
        var (status, identityToken) = await ctx.Client.LoginAsync(user, password, server).ConfigureAwait(false);
        // With an identity token the docker CLI keeps it instead of the password.
        new DockerCredentials(ctx.Environment).Store(DockerCredentials.Key(server), identityToken is { Length: > 0 }
            ? new RegistryCredentials(user, "", identityToken)
            : new RegistryCredentials(user, password));
        await ctx.Out.WriteLineAsync(status.Length > 0 ? status : "Login Succeeded").ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> LogoutAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        var server = flags.Positionals.Count == 1 ? flags.Positionals[0] : HubKey;
        var key = DockerCredentials.Key(server);
        if (new DockerCredentials(ctx.Environment).Erase(key))
            await ctx.Out.WriteLineAsync($"Removing login credentials for {key}").ConfigureAwait(false);
        else
            await ctx.Out.WriteLineAsync($"Not logged in to {key}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Pull/push lines as the docker CLI prints them without a terminal: state changes, no progress bars.</summary>
    private static Task PrintAsync(CliContext ctx, ProgressLine line)
    {
        if (line.Status is null or "Downloading" or "Extracting" or "Pushing" or "Waiting") return Task.CompletedTask;
        return ctx.Out.WriteLineAsync(line.Id is null ? line.Status : $"{line.Id}: {line.Status}");
    }

    /// <summary>The registry domain of an image name, as reference.ParseNormalizedNamed splits it.</summary>
    internal static string Domain(string image)
    {
        int slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return "docker.io";
        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ||
               first.Any(char.IsUpper)
            ? first is "index.docker.io" ? "docker.io" : first
            : "docker.io";
    }

    private static (string Repo, string? Tag) SplitTag(string name)
    {
        if (name.Contains('@', StringComparison.Ordinal)) return (name, null);
        int colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? (name[..colon], name[(colon + 1)..]) : (name, null);
    }

    private static string WithDefaultTag(string image) => SplitTag(image).Tag is null && !image.Contains('@', StringComparison.Ordinal) ? image + ":latest" : image;

    private static string AuthFor(CliContext ctx, string image)
    {
        var domain = Domain(image);
        var key = domain == "docker.io" ? HubKey : domain;
        return new DockerCredentials(ctx.Environment).Get(key) is { } c
            ? DockerClient.EncodeRegistryAuth(c.Username, c.Password, key, c.IdentityToken)
            : DockerClient.EncodeRegistryAuth(null, null, null);
    }
}
