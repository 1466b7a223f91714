using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;
using Wharf.Registry;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf registry serve|gc</c>: the OCI distribution registry server, run in the CLI's own process.</summary>
internal static class RegistryCommand
{
    private const string DefaultRoot = "/var/lib/wharf-registry";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0) throw new UsageException("registry needs a subcommand: serve or gc");
        return args[0] switch
        {
            "serve" => await ServeAsync(args[1..]).ConfigureAwait(false),
            "gc" => await GcAsync(args[1..]).ConfigureAwait(false),
            _ => throw new UsageException($"unknown registry subcommand {args[0]}: want serve or gc"),
        };
    }

    private static TimeSpan? Duration(ParsedFlags flags, string name)
    {
        var v = flags.Value(name);
        if (v is null) return null;
        return TimeArgs.TryParseGoDuration(v, out var d) && d >= TimeSpan.Zero ? d
            : throw new UsageException($"invalid argument \"{v}\" for \"--{name}\" flag: want a duration such as 30s, 10m or 1h");
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("addr"), FlagSpec.Value("root"), FlagSpec.Value("htpasswd"), FlagSpec.Value("auth"),
            FlagSpec.Value("tls-cert"), FlagSpec.Value("tls-key"), FlagSpec.Value("gc-interval"), FlagSpec.Value("gc-grace"), FlagSpec.Value("token-service")]);
        var options = new RegistryOptions
        {
            Address = flags.Value("addr") ?? "127.0.0.1:5000",
            Root = flags.Value("root") ?? DefaultRoot,
            HtpasswdFile = flags.Value("htpasswd"),
            TlsCertFile = flags.Value("tls-cert"),
            TlsKeyFile = flags.Value("tls-key"),
            GcInterval = Duration(flags, "gc-interval") is { } iv && iv > TimeSpan.Zero ? iv : null,
        };
        if (Duration(flags, "gc-grace") is { } grace) options.GcGrace = grace;
        if (flags.Value("token-service") is { } svc) options.TokenService = svc;
        options.Auth = (flags.Value("auth") ?? (options.HtpasswdFile is null ? "none" : "basic")) switch
        {
            "none" => RegistryAuthMode.None,
            "basic" => RegistryAuthMode.Basic,
            "token" => RegistryAuthMode.Token,
            var other => throw new UsageException($"invalid argument \"{other}\" for \"--auth\" flag: want none, basic or token"),
        };
        RegistryServer server;
        try
        {
            server = await RegistryServer.StartAsync(options, m => StdIo.Err.WriteLine(m)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            await StdIo.Err.WriteLineAsync("wharf registry: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        await using (server.ConfigureAwait(false))
        {
            await StdIo.Err.WriteLineAsync($"wharf registry listening on {server.BaseAddress} (root {server.Storage.Root}, auth {options.Auth.ToString().ToLowerInvariant()})").ConfigureAwait(false);
            await server.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task<int> GcAsync(string[] args)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("root"), FlagSpec.Bool("dry-run"), FlagSpec.Value("gc-grace")]);
        var storage = new RegistryStorage(flags.Value("root") ?? DefaultRoot);
        var grace = Duration(flags, "gc-grace") ?? new RegistryOptions().GcGrace;
        var r = GarbageCollector.Collect(storage, grace, flags.Bool("dry-run"), m => StdIo.Out.WriteLine(m));
        await StdIo.Out.WriteLineAsync($"{r.Blobs} blobs, {r.Marked} marked, {r.Swept.Count} {(r.DryRun ? "eligible for deletion" : "deleted")}, {r.BytesFreed} bytes, {r.UploadsPurged} abandoned uploads").ConfigureAwait(false);
        return 0;
    }
}
