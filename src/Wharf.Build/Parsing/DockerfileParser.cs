using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Build.Parsing;

/// <summary>
/// The Dockerfile parser: directives, comments, continuation lines, heredocs, flags, exec vs shell form.
/// It checks each instruction's shape (<see cref="InstructionValidator"/>) so that a fault is reported with its
/// line before anything is built. Variables are not expanded here: that needs the build's ARG and ENV state.
/// </summary>
public static partial class DockerfileParser
{
    [GeneratedRegex(@"^<<(-?)(['""]?)([^'""<\s]+)\2$")]
    private static partial Regex HeredocWord();

    public static Dockerfile Parse(string text, string fileName = "Dockerfile")
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var directives = DirectiveReader.Read(lines, fileName, out var first);
        var instructions = new List<Instruction>();
        for (var i = first; i < lines.Length; i++)
        {
            if (IsBlankOrComment(lines[i])) continue;
            var start = i;
            var joined = JoinContinuations(lines, ref i, directives.Escape);
            var instruction = ParseLine(joined, start + 1, i + 1, fileName, directives.Escape);
            if (instruction.Keyword is "RUN" or "COPY" or "ADD")
            {
                var heredocs = ReadHeredocs(lines, ref i, joined, start + 1, fileName, directives.Escape);
                if (heredocs.Count > 0) instruction = WithHeredocs(instruction, heredocs, i + 1);
            }
            InstructionValidator.Validate(instruction, fileName, directives.Escape);
            instructions.Add(instruction);
        }
        if (instructions.Count == 0)
            throw Core.WharfException.Invalid($"{fileName}: file with no instructions");
        return new Dockerfile(fileName, directives, instructions);
    }

    /// <summary>Parses one instruction line (already joined); used for ONBUILD triggers too.</summary>
    internal static Instruction ParseLine(string joined, int line, int endLine, string fileName, char escape)
    {
        var trimmed = joined.Trim();
        var split = trimmed.IndexOfAny([' ', '\t']);
        var word = split < 0 ? trimmed : trimmed[..split];
        var rest = split < 0 ? "" : trimmed[split..].TrimStart();
        var keyword = word.ToUpperInvariant();
        if (!InstructionRules.IsKnown(keyword))
            throw DockerfileErrors.At(fileName, line, $"unknown instruction: {keyword}");

        if (keyword == "ONBUILD")
        {
            Instruction? trigger = null;
            if (rest.Length > 0)
            {
                var triggerKeyword = rest.Split([' ', '\t'], 2)[0].ToUpperInvariant();
                if (triggerKeyword == "ONBUILD")
                    throw DockerfileErrors.At(fileName, line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                if (triggerKeyword is "FROM" or "MAINTAINER")
                    throw DockerfileErrors.At(fileName, line, $"{triggerKeyword} isn't allowed as an ONBUILD trigger");
                trigger = ParseLine(rest, line, endLine, fileName, escape);
                InstructionValidator.Validate(trigger, fileName, escape);
            }
            return new Instruction
            {
                Keyword = keyword, Flags = [], Args = rest, Line = line, EndLine = endLine, Original = trimmed, Trigger = trigger,
            };
        }

        var flags = ExtractFlags(ref rest, escape);
        foreach (var flag in flags)
            if (!InstructionRules.AcceptsFlag(keyword, flag.Name))
                throw DockerfileErrors.At(fileName, line, $"unknown flag: {flag.Name}");
        return new Instruction
        {
            Keyword = keyword,
            Flags = flags,
            Args = rest,
            Json = keyword is "CMD" or "ENTRYPOINT" or "RUN" or "SHELL" or "VOLUME" or "COPY" or "ADD" or "HEALTHCHECK"
                ? Words.TryJsonArray(rest) : null,
            Line = line,
            EndLine = endLine,
            Original = trimmed,
        };
    }

    private static bool IsBlankOrComment(string line)
    {
        var t = line.TrimStart();
        return t.Length == 0 || t[0] == '#';
    }

    /// <summary>
    /// Joins a line ending in the escape character with the following lines. Comment and empty lines inside a
    /// continuation are dropped, as Docker does; the whitespace of the joined lines is kept.
    /// </summary>
    private static string JoinContinuations(string[] lines, ref int i, char escape)
    {
        var sb = new StringBuilder();
        var line = lines[i];
        while (true)
        {
            var body = line.TrimEnd(' ', '\t');
            if (!body.EndsWith(escape))
            {
                sb.Append(line);
                return sb.ToString();
            }
            sb.Append(body, 0, body.Length - 1);
            do
            {
                if (i + 1 >= lines.Length) return sb.ToString();
                line = lines[++i];
            }
            while (IsBlankOrComment(line));
        }
    }

    private static List<InstructionFlag> ExtractFlags(ref string rest, char escape)
    {
        var flags = new List<InstructionFlag>();
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var words = Words.Split(rest, escape);
            if (words.Count == 0) break;
            var word = words[0];
            var body = word[2..];
            if (body.Length == 0) break; // a bare "--" is an argument, not a flag
            var eq = body.IndexOf('=');
            flags.Add(eq < 0 ? new InstructionFlag(body, null) : new InstructionFlag(body[..eq], body[(eq + 1)..]));
            rest = rest[word.Length..].TrimStart();
        }
        return flags;
    }

    private static List<Heredoc> ReadHeredocs(string[] lines, ref int i, string joined, int line, string fileName, char escape)
    {
        var result = new List<Heredoc>();
        foreach (var word in Words.Split(joined, escape))
        {
            var m = HeredocWord().Match(word);
            if (!m.Success) continue;
            var chomp = m.Groups[1].Value == "-";
            var quoted = m.Groups[2].Value.Length > 0;
            var name = m.Groups[3].Value;
            var content = new StringBuilder();
            var terminated = false;
            while (i + 1 < lines.Length)
            {
                var body = lines[++i];
                if (chomp) body = body.TrimStart('\t');
                if (body == name) { terminated = true; break; }
                content.Append(body).Append('\n');
            }
            if (!terminated)
                throw DockerfileErrors.At(fileName, line, $"unterminated heredoc {name}");
            result.Add(new Heredoc(name, content.ToString(), !quoted, chomp));
        }
        return result;
    }

    private static Instruction WithHeredocs(Instruction i, List<Heredoc> heredocs, int endLine) => new()
    {
        Keyword = i.Keyword, Flags = i.Flags, Args = i.Args, Json = null, Line = i.Line, EndLine = endLine,
        Original = i.Original, Heredocs = heredocs,
    };
}
