using System.Text;

namespace Wharf.Cli.Formatting;

/// <summary>
/// The small part of Go's text/template that `--format` users lean on: <c>{{.Field}}</c>,
/// <c>{{.A.B}}</c>, <c>{{json .X}}</c>, <c>{{.}}</c>; literal <c>\t</c> and <c>\n</c> are turned into tab and newline
/// as docker does. <see cref="IsTable"/> reports docker's "table " prefix.
/// </summary>
internal sealed class GoTemplate
{
    private readonly List<(string? Text, string? Path, bool Json)> _parts = [];

    private GoTemplate(bool isTable) => IsTable = isTable;

    public bool IsTable { get; }

    /// <summary>Field paths used, in order (for table headers).</summary>
    public IEnumerable<string> Fields => _parts.Where(p => p.Path is not null).Select(p => p.Path!);

    public static GoTemplate Parse(string format)
    {
        var isTable = format.StartsWith("table", StringComparison.Ordinal);
        if (isTable)
        {
            format = format[5..].TrimStart();
        }

        format = format.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        var template = new GoTemplate(isTable);
        var pos = 0;
        while (pos < format.Length)
        {
            var open = format.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                template._parts.Add((format[pos..], null, false));
                break;
            }

            if (open > pos)
            {
                template._parts.Add((format[pos..open], null, false));
            }

            var close = format.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new Parsing.UsageException($"template parsing error: unclosed action in \"{format}\"");
            }

            var action = format[(open + 2)..close].Trim().Trim('-').Trim();
            var json = false;
            if (action.StartsWith("json ", StringComparison.Ordinal))
            {
                json = true;
                action = action[5..].Trim();
            }

            if (!action.StartsWith('.'))
            {
                throw new Parsing.UsageException($"template: unsupported action \"{{{{{action}}}}}\" (wharf supports {{{{.Field}}}} and {{{{json .Field}}}})");
            }

            template._parts.Add((null, action, json));
            pos = close + 2;
        }

        return template;
    }

    /// <summary>Renders with <paramref name="resolve"/>(path, asJson) supplying each field's text.</summary>
    public string Render(Func<string, bool, string> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        var sb = new StringBuilder();
        foreach (var (text, path, json) in _parts)
        {
            sb.Append(text ?? resolve(path!, json));
        }

        return sb.ToString();
    }
}
