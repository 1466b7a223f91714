using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`pull`, `push`, `login`, `logout`: the daemon talks to the registry; credentials live in the docker CLI's
/// config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json, "auths" → base64 user:password), so both
/// clients share logins.</summary>
internal static class RegistryVerbs
{
    private const string HubKey = "https://index.docker.io/v1/";

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
        var status = await ctx.Client.LoginAsync(user, password, server).ConfigureAwait(false);
        var config = LoadConfig(ctx);
        var auths = config["auths"] as JsonObject ?? new JsonObject();
        config["auths"] = auths;
        auths[ConfigKey(server)] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)) };
        SaveConfig(ctx, config);
        await ctx.Out.WriteLineAsync(status.Length > 0 ? status : "Login Succeeded").ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> LogoutAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, []);
        var server = flags.Positionals.Count == 1 ? flags.Positionals[0] : HubKey;
        var config = LoadConfig(ctx);
        if (config["auths"] is JsonObject auths && auths.Remove(ConfigKey(server)))
        {
            SaveConfig(ctx, config);
            await ctx.Out.WriteLineAsync($"Removing login credentials for {ConfigKey(server)}").ConfigureAwait(false);
        }
        else
        {
            await ctx.Out.WriteLineAsync($"Not logged in to {ConfigKey(server)}").ConfigureAwait(false);
        }
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

    private static string ConfigKey(string server)
    {
        var s = server;
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) s = s[(scheme + 3)..];
        s = s.TrimEnd('/');
        if (s.EndsWith("/v1", StringComparison.Ordinal) || s.EndsWith("/v2", StringComparison.Ordinal)) s = s[..^3];
        return s is "index.docker.io" or "docker.io" or "registry-1.docker.io" ? HubKey : s;
    }

    private static string AuthFor(CliContext ctx, string image)
    {
        var domain = Domain(image);
        var key = domain == "docker.io" ? HubKey : domain;
        if (LoadConfig(ctx)["auths"]?[key]?["auth"]?.GetValue<string>() is { Length: > 0 } auth)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                int colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) return DockerClient.EncodeRegistryAuth(pair[..colon], pair[(colon + 1)..], key);
            }
            catch (FormatException)
            {
                // A damaged entry: pull anonymously, as the docker CLI does.
            }
        }
        return DockerClient.EncodeRegistryAuth(null, null, null);
    }

    private static string ConfigPath(CliContext ctx)
    {
        var dir = ctx.Environment("DOCKER_CONFIG") is { Length: > 0 } d ? d : Path.Combine(ctx.Environment("HOME") ?? "/root", ".docker");
        return Path.Combine(dir, "config.json");
    }

    private static JsonObject LoadConfig(CliContext ctx)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(ConfigPath(ctx))) as JsonObject ?? new JsonObject();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new JsonObject();
        }
    }

    private static void SaveConfig(CliContext ctx, JsonObject config)
    {
        var path = ConfigPath(ctx);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
    }
}
