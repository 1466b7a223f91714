using Wharf.Core;

namespace Wharf.Engine.Containers;

/// <summary>
/// The detach key sequence of an attach (<c>detachKeys</c>, moby/term ToBytes): comma-separated keys, each a
/// single character or "ctrl-X" with X one of a-z, @, [, \, ], ^, _. Docker's default is ctrl-p,ctrl-q.
/// </summary>
public static class DetachKeys
{
    public static IReadOnlyList<byte> Default { get; } = [16, 17];

    public static byte[] Parse(string? keys)
    {
        if (string.IsNullOrEmpty(keys)) return [.. Default];
        var codes = new List<byte>();
        foreach (var key in keys.Split(','))
        {
            if (key.Length == 1 && key[0] < 0x80)
            {
                codes.Add((byte)key[0]);
                continue;
            }
            codes.Add(Control(key) ?? throw WharfException.Invalid($"Invalid detach keys ({keys}) provided"));
        }
        return [.. codes];
    }

    private static byte? Control(string key)
    {
        if (key.Length != 6 || !key.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase)) return null;
        char c = char.ToLowerInvariant(key[5]);
        return c switch
        {
            >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
            '@' => 0,
            '[' => 27,
            '\\' => 28,
            ']' => 29,
            '^' => 30,
            '_' => 31,
            _ => null,
        };
    }
}
