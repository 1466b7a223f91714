namespace Wharf.Engine.Containers;

/// <summary>
/// Watches an attach's stdin for the detach sequence (moby/term EscapeProxy): bytes that could be the start
/// of the sequence are held back; if the sequence completes they are swallowed and the client detaches,
/// otherwise they are passed on with what follows.
/// </summary>
public sealed class EscapeScanner(IReadOnlyList<byte> keys)
{
    private readonly List<byte> _held = [];

    /// <summary>Feeds one read. Returns the bytes to forward to the container and whether the sequence
    /// completed (anything after it in the same read is dropped, as Docker does).</summary>
    public (byte[] Forward, bool Detach) Feed(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length);
        foreach (var b in data)
        {
            if (keys.Count == 0)
            {
                output.Add(b);
                continue;
            }
            if (b == keys[_held.Count])
            {
                _held.Add(b);
                if (_held.Count == keys.Count)
                {
                    _held.Clear();
                    return ([.. output], true);
                }
                continue;
            }
            // Not the sequence after all: release what was held, then look at this byte afresh.
            output.AddRange(_held);
            _held.Clear();
            if (b == keys[0])
            {
                _held.Add(b);
                if (keys.Count == 1) return ([.. output], true);
            }
            else
            {
                output.Add(b);
            }
        }
        return ([.. output], false);
    }
}
