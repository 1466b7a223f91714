namespace Wharf.Cli.Parsing;

/// <summary>
/// A small pflag-compatible parser: <c>--name value</c>, <c>--name=value</c>, <c>-n value</c>, <c>-nvalue</c>,
/// grouped booleans <c>-dit</c>, <c>--</c>. With <c>interspersed: false</c> (docker run/create/exec) parsing
/// stops at the first positional so the container's own flags stay untouched.
/// </summary>
internal static class FlagParser
{
    public static readonly FlagSpec Help = FlagSpec.Bool("help");

    public static ParsedFlags Parse(IReadOnlyList<string> args, IReadOnlyList<FlagSpec> specs, bool interspersed = true)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(specs);
        var result = new ParsedFlags();
        var i = 0;
        while (i < args.Count)
        {
            var arg = args[i++];
            if (arg == "--")
            {
                result.Positionals.AddRange(args.Skip(i));
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var body = arg[2..];
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                var name = eq >= 0 ? body[..eq] : body;
                var spec = Find(specs, name) ?? throw new UsageException($"unknown flag: --{name}");
                if (eq >= 0)
                {
                    result.Add(spec.Name, body[(eq + 1)..]);
                }
                else if (spec.TakesValue)
                {
                    if (i >= args.Count)
                    {
                        throw new UsageException($"flag needs an argument: --{name}");
                    }

                    result.Add(spec.Name, args[i++]);
                }
                else
                {
                    result.Add(spec.Name, "true");
                }

                continue;
            }

            if (arg.Length > 1 && arg[0] == '-')
            {
                // Grouped short flags: every letter is a boolean until one takes a value, which then consumes the
                // rest of the group (or the next argument).
                for (var j = 1; j < arg.Length; j++)
                {
                    var letter = arg[j];
                    var spec = FindShort(specs, letter) ?? throw new UsageException($"unknown shorthand flag: '{letter}' in {arg}");
                    if (!spec.TakesValue)
                    {
                        if (j + 1 < arg.Length && arg[j + 1] == '=')
                        {
                            result.Add(spec.Name, arg[(j + 2)..]);
                            break;
                        }

                        result.Add(spec.Name, "true");
                        continue;
                    }

                    if (j + 1 < arg.Length)
                    {
                        var rest = arg[(j + 1)..];
                        result.Add(spec.Name, rest.StartsWith('=') ? rest[1..] : rest);
                    }
                    else if (i < args.Count)
                    {
                        result.Add(spec.Name, args[i++]);
                    }
                    else
                    {
                        throw new UsageException($"flag needs an argument: '{letter}' in -{letter}");
                    }

                    break;
                }

                continue;
            }

            result.Positionals.Add(arg);
            if (!interspersed)
            {
                result.Positionals.AddRange(args.Skip(i));
                break;
            }
        }

        return result;
    }

    private static FlagSpec? Find(IReadOnlyList<FlagSpec> specs, string name)
    {
        foreach (var spec in specs)
        {
            if (spec.Name == name)
            {
                return spec;
            }
        }

        return name == Help.Name ? Help : null;
    }

    private static FlagSpec? FindShort(IReadOnlyList<FlagSpec> specs, char letter)
    {
        foreach (var spec in specs)
        {
            if (spec.Short == letter)
            {
                return spec;
            }
        }

        return null;
    }
}
