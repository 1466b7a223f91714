namespace Wharf.Cli.Parsing;

/// <summary>One flag as pflag declares it: a long name, an optional one-letter alias, and whether it takes a value.</summary>
internal sealed record FlagSpec(string Name, char? Short = null, bool TakesValue = false)
{
    public static FlagSpec Bool(string name, char? shortName = null) => new(name, shortName, false);

    public static FlagSpec Value(string name, char? shortName = null) => new(name, shortName, true);
}
