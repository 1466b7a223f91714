using System.Text.RegularExpressions;

namespace Wharf.Build.Parsing;

/// <summary>
/// Reads the parser directives: comment lines of the form <c># name=value</c> at the very top of the file.
/// The first line that is not a known directive (an instruction, an empty line, any other comment) ends them.
/// </summary>
internal static partial class DirectiveReader
{
    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")]
    private static partial Regex DirectiveLine();

    public static ParserDirectives Read(IReadOnlyList<string> lines, string file, out int consumed)
    {
        var result = ParserDirectives.Default;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        consumed = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var m = DirectiveLine().Match(lines[i]);
            if (!m.Success) break;
            var name = m.Groups[1].Value.ToLowerInvariant();
            var value = m.Groups[2].Value;
            if (name is not ("escape" or "syntax" or "check")) break;
            if (!seen.Add(name))
                throw DockerfileErrors.At(file, i + 1, $"only one {name} parser directive can be used");
            result = name switch
            {
                "escape" => result with { Escape = ParseEscape(value, file, i + 1) },
                "syntax" => result with { Syntax = value },
                _ => result with { Check = value },
            };
            consumed = i + 1;
        }
        return result;
    }

    private static char ParseEscape(string value, string file, int line) => value switch
    {
        "\\" => '\\',
        "`" => '`',
        _ => throw DockerfileErrors.At(file, line, $"invalid escape token '{value}' does not match ` or \\"),
    };
}
