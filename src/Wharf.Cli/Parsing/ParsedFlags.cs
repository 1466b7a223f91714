using System.Globalization;

namespace Wharf.Cli.Parsing;

/// <summary>Flags and positional arguments of one command, as parsed by <see cref="FlagParser"/>.</summary>
internal sealed class ParsedFlags
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    public void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            list = [];
            _values[name] = list;
        }

        list.Add(value);
    }

    /// <summary>True when the flag appeared at all (pflag's Changed), even as <c>--x=</c>.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The last value given (pflag semantics for scalar flags).</summary>
    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public bool Bool(string name)
    {
        var value = Value(name);
        if (value is null)
        {
            return false;
        }

        return value.ToLowerInvariant() switch
        {
            "" or "1" or "t" or "true" => true,
            "0" or "f" or "false" => false,
            _ => throw new UsageException($"invalid argument \"{value}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"),
        };
    }

    public int? Int(string name)
    {
        var value = Value(name);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"invalid argument \"{value}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax");
    }
}
