using System.Globalization;
using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>`wharf ps`: docker's table (CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES) or --format.</summary>
internal static class PsCommand
{
    private static readonly FlagSpec[] Flags =
    [
        FlagSpec.Bool("all", 'a'),
        FlagSpec.Bool("quiet", 'q'),
        FlagSpec.Value("filter", 'f'),
        FlagSpec.Bool("no-trunc"),
        FlagSpec.Value("format"),
        FlagSpec.Value("last", 'n'),
        FlagSpec.Bool("latest", 'l'),
        FlagSpec.Bool("size", 's'),
    ];

    private const string DefaultTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal)
    {
        ["ID"] = "CONTAINER ID", ["Image"] = "IMAGE", ["Command"] = "COMMAND", ["RunningFor"] = "CREATED",
        ["CreatedAt"] = "CREATED AT", ["Status"] = "STATUS", ["Ports"] = "PORTS", ["Names"] = "NAMES",
        ["State"] = "STATE", ["Labels"] = "LABELS", ["Networks"] = "NETWORKS", ["Mounts"] = "MOUNTS", ["Size"] = "SIZE",
    };

    public static async Task<int> RunAsync(CliContext ctx, string[] args)
    {
        var flags = FlagParser.Parse(args, Flags);
        var filters = ParseFilters(flags.Values("filter"));
        var last = flags.Int("last") ?? (flags.Bool("latest") ? 1 : null);
        var all = flags.Bool("all") || last is > 0;
        var containers = await ctx.Client.ListContainersAsync(all, filters, last is > 0 ? last : null).ConfigureAwait(false);
        var trunc = !flags.Bool("no-trunc");
        if (flags.Bool("quiet"))
        {
            foreach (var c in containers)
            {
                await ctx.Out.WriteLineAsync(trunc ? TextUtil.TruncateId(c.Id) : c.Id).ConfigureAwait(false);
            }

            return 0;
        }

        var format = flags.Value("format") ?? ctx.Environment("WHARF_PS_FORMAT") ?? DefaultTable;
        if (format == "table")
        {
            format = DefaultTable;
        }

        await ctx.Out.WriteAsync(Render(containers, GoTemplate.Parse(format), trunc, ctx.Now)).ConfigureAwait(false);
        return 0;
    }

    internal static string Render(IReadOnlyList<ContainerSummary> containers, GoTemplate template, bool trunc, DateTimeOffset now)
    {
        if (!template.IsTable)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var c in containers)
            {
                sb.Append(template.Render((path, json) => Field(c, path, json, trunc, now))).Append('\n');
            }

            return sb.ToString();
        }

        var table = new TableWriter();
        table.Add(template.Render((path, _) => Headers.TryGetValue(path.TrimStart('.'), out var h) ? h : path.TrimStart('.').ToUpperInvariant()).Split('\t'));
        foreach (var c in containers)
        {
            table.Add(template.Render((path, json) => Field(c, path, json, trunc, now)).Split('\t'));
        }

        return table.Render();
    }

    private static string Field(ContainerSummary c, string path, bool json, bool trunc, DateTimeOffset now)
    {
        var value = path.TrimStart('.') switch
        {
            "ID" => trunc ? TextUtil.TruncateId(c.Id) : c.Id,
            "Image" => Image(c, trunc),
            "Command" => TextUtil.Quote(trunc ? TextUtil.Ellipsis(c.Command, 20) : c.Command),
            "RunningFor" => HumanUnits.Ago(DateTimeOffset.FromUnixTimeSeconds(c.Created), now),
            "CreatedAt" => DateTimeOffset.FromUnixTimeSeconds(c.Created).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
            "Status" => c.Status,
            "State" => c.State,
            "Ports" => Ports(c.Ports),
            "Names" => Names(c.Names, trunc),
            "Labels" => string.Join(',', (c.Labels ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
            "Networks" => string.Join(',', c.NetworkSettings.Networks?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>()),
            "Mounts" => string.Join(',', c.Mounts.Select(m => string.IsNullOrEmpty(m.Name) ? m.Source : m.Name)),
            "Size" => c.SizeRw is { } rw ? HumanUnits.Size(rw) : "0B",
            "" => c.Id,
            var other => throw new UsageException($"template: can't evaluate field {other} in type container.Summary"),
        };
        return json ? "\"" + JsonEncodedText.Encode(value, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"" : value;
    }

    private static string Image(ContainerSummary c, bool trunc)
    {
        if (c.Image.Length == 0)
        {
            return "<no image>";
        }

        if (!trunc)
        {
            return c.Image;
        }

        if (c.Image.StartsWith("sha256:", StringComparison.Ordinal))
        {
            return TextUtil.TruncateId(c.Image);
        }

        var at = c.Image.IndexOf('@', StringComparison.Ordinal);
        return at >= 0 && TextUtil.SplitRepoTag(c.Image[..at]).Tag is not null ? c.Image[..at] : c.Image;
    }

    private static string Names(List<string> names, bool trunc)
    {
        // Names with another '/' are legacy link aliases; docker hides them unless --no-trunc.
        var shown = names.Select(n => n.StartsWith('/') ? n[1..] : n).Where(n => !trunc || !n.Contains('/', StringComparison.Ordinal));
        return string.Join(',', shown);
    }

    internal static string Ports(List<Port> ports)
    {
        var parts = ports
            .OrderBy(p => p.PrivatePort).ThenBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.IP, StringComparer.Ordinal)
            .Select(p =>
            {
                if (p.PublicPort == 0)
                {
                    return $"{p.PrivatePort}/{p.Type}";
                }

                var ip = string.IsNullOrEmpty(p.IP) ? "" : p.IP.Contains(':', StringComparison.Ordinal) ? $"[{p.IP}]:" : p.IP + ":";
                return $"{ip}{p.PublicPort}->{p.PrivatePort}/{p.Type}";
            });
        return string.Join(", ", parts);
    }

    internal static List<KeyValuePair<string, string>> ParseFilters(IEnumerable<string> values)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var f in values)
        {
            var eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"invalid argument \"{f}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)");
            }

            result.Add(new(f[..eq].Trim().ToLowerInvariant(), f[(eq + 1)..]));
        }

        return result;
    }
}
