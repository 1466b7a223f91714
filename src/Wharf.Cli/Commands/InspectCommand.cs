using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Cli.Formatting;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>
/// `inspect`: tries a container, then an image (unless --type says which), and prints the daemon's JSON as an
/// indented array like docker, or renders --format per object.
/// </summary>
internal static class InspectCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<int> RunAsync(CliContext ctx, string[] args, string? forcedType = null)
    {
        var flags = FlagParser.Parse(args, [FlagSpec.Value("format", 'f'), FlagSpec.Value("type"), FlagSpec.Bool("size", 's')]);
        if (flags.Positionals.Count == 0)
        {
            throw new UsageException("\"inspect\" requires at least 1 argument.");
        }

        var type = forcedType ?? flags.Value("type");
        if (type is not (null or "container" or "image" or "network" or "volume"))
        {
            throw new UsageException($"\"{type}\" is not a valid value for --type");
        }

        var template = flags.Value("format") is { } format ? GoTemplate.Parse(format) : null;
        var results = new JsonArray();
        var failed = false;
        foreach (var name in flags.Positionals)
        {
            var node = await FindAsync(ctx.Client, name, type).ConfigureAwait(false);
            if (node is null)
            {
                await ctx.Err.WriteLineAsync(type switch
                {
                    "container" => "Error: No such container: " + name,
                    "image" => "Error: No such image: " + name,
                    "network" => "Error: No such network: " + name,
                    "volume" => "Error: No such volume: " + name,
                    _ => "Error: No such object: " + name,
                }).ConfigureAwait(false);
                failed = true;
                continue;
            }

            if (template is not null)
            {
                await ctx.Out.WriteLineAsync(template.Render((path, json) => Resolve(node, path, json))).ConfigureAwait(false);
            }
            else
            {
                results.Add(node);
            }
        }

        if (template is null)
        {
            await ctx.Out.WriteLineAsync(results.ToJsonString(Indented)).ConfigureAwait(false);
        }

        return failed ? 1 : 0;
    }

    private static async Task<JsonNode?> FindAsync(DockerClient client, string name, string? type)
    {
        if (type is null or "container")
        {
            try
            {
                return JsonNode.Parse(await client.InspectContainerRawAsync(name).ConfigureAwait(false));
            }
            catch (DockerApiException ex) when (ex.IsNotFound)
            {
            }
        }

        if (type is null or "image")
        {
            try
            {
                return JsonNode.Parse(await client.InspectImageRawAsync(name).ConfigureAwait(false));
            }
            catch (DockerApiException ex) when (ex.IsNotFound)
            {
            }
        }

        // docker inspect without --type tries volumes and networks after containers and images, in that order.
        foreach (var (kind, path) in new[] { ("volume", "/volumes/"), ("network", "/networks/") })
        {
            if (type is not null && type != kind) continue;
            try
            {
                return JsonNode.Parse(await client.GetRawJsonAsync(path + Uri.EscapeDataString(name)).ConfigureAwait(false));
            }
            catch (DockerApiException ex) when (ex.IsNotFound)
            {
            }
        }

        return null;
    }

    /// <summary>Looks up ".A.B" in the JSON; strings print bare, other values as JSON (Go prints maps differently,
    /// but JSON is what scripts can parse).</summary>
    internal static string Resolve(JsonNode node, string path, bool json)
    {
        JsonNode? current = node;
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is JsonObject obj)
            {
                current = obj.FirstOrDefault(kv => kv.Key == segment).Value
                    ?? obj.FirstOrDefault(kv => string.Equals(kv.Key, segment, StringComparison.OrdinalIgnoreCase)).Value;
                if (current is null && !obj.Any(kv => string.Equals(kv.Key, segment, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new UsageException($"template: map has no entry for key \"{segment}\"");
                }
            }
            else
            {
                return json ? "null" : "<no value>";
            }
        }

        if (current is null)
        {
            return json ? "null" : "<nil>";
        }

        if (!json && current is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        return current.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
