using System.Text.RegularExpressions;

namespace Wharf.Build.Parsing;

/// <summary>The argument-shape checks Docker's parser makes, with its wording.</summary>
internal static partial class InstructionValidator
{
    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9\-_\.]*$")]
    private static partial Regex StageName();

    public static void Validate(Instruction ins, string file, char escape)
    {
        var k = ins.Keyword;
        var words = Words.Split(ins.Args, escape);
        string? fault = k switch
        {
            "FROM" => CheckFrom(words),
            "RUN" or "ENV" or "ARG" or "EXPOSE" or "LABEL" or "ONBUILD" or "MAINTAINER" or "VOLUME"
                => words.Count == 0 && ins.Heredocs.Count == 0 ? $"{k} requires at least one argument" : null,
            "WORKDIR" or "STOPSIGNAL" => words.Count != 1 ? $"{k} requires exactly one argument" : null,
            "USER" => words.Count == 0 ? "USER requires at least one argument" : null,
            "COPY" or "ADD" => CheckCopy(k, ins, words),
            "SHELL" => ins.Json is null ? "SHELL requires the arguments to be in JSON form"
                : ins.Json.Count == 0 ? "SHELL requires at least one argument" : null,
            "HEALTHCHECK" => CheckHealthcheck(ins, escape),
            _ => null,
        };
        fault ??= k switch
        {
            "ENV" or "LABEL" => CheckKeyValues(k, ins.Args, escape),
            "VOLUME" when ins.Json is { } j && j.Any(string.IsNullOrWhiteSpace) => "VOLUME specified can not be an empty string",
            _ => null,
        };
        if (fault is not null) throw DockerfileErrors.At(file, ins.Line, fault);
    }

    private static string? CheckFrom(List<string> words)
    {
        if (words.Count != 1 && words.Count != 3) return "FROM requires either one or three arguments";
        if (words.Count == 3 && !words[1].Equals("as", StringComparison.OrdinalIgnoreCase))
            return "FROM requires either one or three arguments";
        if (words.Count == 3 && !StageName().IsMatch(words[2]))
            return $"invalid name for build stage: \"{words[2]}\", name can't start with a number or contain symbols";
        return null;
    }

    private static string? CheckCopy(string k, Instruction ins, List<string> words)
    {
        var count = ins.Json?.Count ?? words.Count;
        if (ins.Heredocs.Count > 0) return count < 1 ? $"{k} requires at least two arguments" : null;
        if (count == 0) return $"{k} requires at least two arguments";
        if (count == 1) return $"{k} requires at least two arguments, but only one was provided. Destination could not be determined.";
        return null;
    }

    private static string? CheckHealthcheck(Instruction ins, char escape)
    {
        var words = Words.Split(ins.Args, escape);
        if (words.Count == 0) return "HEALTHCHECK requires at least one argument";
        var type = words[0].ToUpperInvariant();
        if (type == "NONE")
            return words.Count > 1 || ins.Flags.Count > 0 ? "HEALTHCHECK NONE takes no arguments" : null;
        if (type != "CMD") return $"Unknown type \"{type}\" in HEALTHCHECK (try CMD)";
        return words.Count < 2 ? "Missing command after HEALTHCHECK CMD" : null;
    }

    private static string? CheckKeyValues(string k, string args, char escape)
    {
        var words = Words.Split(args, escape);
        if (words.Count == 0) return $"{k} requires at least one argument";
        if (!words[0].Contains('='))
        {
            return Words.SplitWhitespace(args).Length < 2 ? $"{k} must have two arguments" : null;
        }
        foreach (var w in words)
        {
            if (!w.Contains('=')) return $"Syntax error - can't find = in \"{w}\". Must be of the form: name=value";
            if (w.StartsWith('=')) return $"{k} names can not be blank";
        }
        return null;
    }
}
