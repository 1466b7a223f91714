using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.Api;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>
/// `wharf build`: sends the context directory to POST /build and shows a live per-step view: each step's line
/// as it starts, the RUN output under it, and when it ends its time or CACHED. The daemon applies .dockerignore.
/// </summary>
internal static partial class BuildCommand
{
    [GeneratedRegex(@"^Step (\d+)/(\d+) : (.*)$")]
    private static partial Regex StepLine();

    public static async Task<int> RunAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, [
            FlagSpec.Value("tag", 't'), FlagSpec.Value("file", 'f'), FlagSpec.Value("build-arg"), FlagSpec.Value("target"),
            FlagSpec.Bool("no-cache"), FlagSpec.Bool("quiet", 'q'), FlagSpec.Value("label"), FlagSpec.Value("network"),
            FlagSpec.Value("iidfile"), FlagSpec.Value("platform"), FlagSpec.Bool("pull"), FlagSpec.Bool("rm"), FlagSpec.Bool("force-rm"),
            FlagSpec.Value("cache-from"), FlagSpec.Value("secret"),
        ]);
        if (flags.Positionals.Count != 1) throw new UsageException("\"build\" requires exactly 1 argument.");
        var dir = flags.Positionals[0];
        if (!Directory.Exists(dir)) throw new UsageException($"unable to prepare context: path \"{dir}\" not found");

        var query = new List<(string, string?)>();
        foreach (var t in flags.Values("tag")) query.Add(("t", t));
        query.Add(("dockerfile", flags.Value("file") ?? "Dockerfile"));
        if (flags.Values("build-arg").Count > 0) query.Add(("buildargs", JsonMap(flags.Values("build-arg"), ctx)));
        if (flags.Values("label").Count > 0) query.Add(("labels", JsonMap(flags.Values("label"), ctx)));
        query.Add(("target", flags.Value("target")));
        if (flags.Bool("no-cache")) query.Add(("nocache", "1"));
        if (flags.Bool("quiet")) query.Add(("q", "1"));
        if (flags.Bool("force-rm")) query.Add(("forcerm", "1"));
        if (flags.Bool("pull")) query.Add(("pull", "1"));
        if (flags.Values("cache-from").Count > 0)
            query.Add(("cachefrom", JsonSerializer.Serialize(flags.Values("cache-from").ToList(), CliBuildJson.Default.ListString)));
        query.Add(("networkmode", flags.Value("network")));
        query.Add(("platform", flags.Value("platform")));

        using var tar = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(dir, tar, includeBaseDirectory: false).ConfigureAwait(false);
        tar.Position = 0;

        var view = new ProgressView(ctx.Out, flags.Bool("quiet"));
        string? imageId = null;
        int exit = 0;
        var secrets = ReadSecrets(flags.Values("secret"), ctx);
        await ctx.Client.BuildImageAsync(tar, query, async m =>
        {
            if (m.Aux is { } aux && aux.TryGetValue("ID", out var id)) imageId = id;
            if (m.ErrorDetail is { } e || m.Error is not null)
            {
                await view.FinishAsync(failed: true).ConfigureAwait(false);
                await ctx.Err.WriteLineAsync(m.ErrorDetail?.Message ?? m.Error).ConfigureAwait(false);
                exit = m.ErrorDetail is { Code: > 0 } d ? d.Code : 1;
                return;
            }
            if (m.Stream is { } text) await view.StreamAsync(text).ConfigureAwait(false);
        }, secrets: secrets).ConfigureAwait(false);
        if (exit != 0) return exit;
        await view.FinishAsync(failed: false).ConfigureAwait(false);
        if (flags.Value("iidfile") is { } iid && imageId is not null) await File.WriteAllTextAsync(iid, imageId).ConfigureAwait(false);
        return 0;
    }

    /// <summary>`--secret id=x[,src=file|,env=VAR][,type=file|env]` as buildx reads it: a file by default, an
    /// environment variable with type=env or env=.</summary>
    internal static Dictionary<string, byte[]> ReadSecrets(IReadOnlyList<string> specs, CliContext ctx)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0) throw new UsageException($"invalid secret \"{spec}\": expected key=value fields");
                fields[part[..eq].Trim().ToLowerInvariant()] = part[(eq + 1)..];
            }
            var id = fields.GetValueOrDefault("id") ?? throw new UsageException($"invalid secret \"{spec}\": id is required");
            if (!Wharf.Api.Build.BuildSecrets.IsValidId(id)) throw new UsageException($"invalid secret id \"{id}\"");
            var source = fields.GetValueOrDefault("src") ?? fields.GetValueOrDefault("source");
            var env = fields.GetValueOrDefault("env");
            if (fields.GetValueOrDefault("type") == "env" || env is not null)
            {
                var name = env ?? source ?? id;
                result[id] = System.Text.Encoding.UTF8.GetBytes(ctx.Environment(name)
                    ?? throw new UsageException($"secret {id}: environment variable {name} is not set"));
            }
            else
            {
                var path = source ?? throw new UsageException($"invalid secret \"{spec}\": src is required for a file secret");
                try { result[id] = File.ReadAllBytes(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"secret {id}: cannot read {path}: {e.Message}");
                }
            }
        }
        return result;
    }

    private static string JsonMap(IReadOnlyList<string> pairs, CliContext ctx)
    {
        var map = new Dictionary<string, string?>();
        foreach (var p in pairs)
        {
            var eq = p.IndexOf('=');
            map[eq < 0 ? p : p[..eq]] = eq < 0 ? ctx.Environment(p) : p[(eq + 1)..];
        }
        return JsonSerializer.Serialize(map, CliBuildJson.Default.DictionaryStringString);
    }

    /// <summary>Turns the legacy "Step n/m" stream into one line per step with its duration or CACHED.</summary>
    private sealed class ProgressView(TextWriter output, bool quiet)
    {
        private readonly Stopwatch _clock = new();
        private string? _step;
        private bool _cached;

        public async Task StreamAsync(string text)
        {
            if (quiet)
            {
                await output.WriteAsync(text).ConfigureAwait(false);
                return;
            }
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var m = StepLine().Match(line);
                if (m.Success)
                {
                    await FinishAsync(false).ConfigureAwait(false);
                    _step = $"[{m.Groups[1].Value}/{m.Groups[2].Value}] {m.Groups[3].Value}";
                    _cached = false;
                    _clock.Restart();
                    await output.WriteLineAsync("=> " + _step).ConfigureAwait(false);
                }
                else if (line == " ---> Using cache") _cached = true;
                else if (line.StartsWith(" ---> ", StringComparison.Ordinal)) continue;
                else if (line.StartsWith("Successfully", StringComparison.Ordinal) || line.StartsWith("[Warning]", StringComparison.Ordinal))
                {
                    await FinishAsync(false).ConfigureAwait(false);
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }
                else await output.WriteLineAsync("   | " + line).ConfigureAwait(false);
            }
            await output.FlushAsync().ConfigureAwait(false);
        }

        public async Task FinishAsync(bool failed)
        {
            if (_step is null) return;
            var status = failed ? "ERROR" : _cached ? "CACHED" : _clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + "s";
            await output.WriteLineAsync($"=> {_step}  {status}").ConfigureAwait(false);
            _step = null;
        }
    }
}
