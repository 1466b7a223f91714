using System.Text;
using Wharf.Oci;

namespace Wharf.Images;

/// <summary>Layer chain IDs (image-spec config.md): ChainID(L0) = DiffID(L0),
/// ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). Snapshots are keyed by these.</summary>
public static class ChainId
{
    /// <summary>Chain IDs of every prefix of <paramref name="diffIds"/> (bottom first).</summary>
    public static IReadOnlyList<string> Compute(IReadOnlyList<string> diffIds)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        var result = new string[diffIds.Count];
        string? previous = null;
        for (int i = 0; i < diffIds.Count; i++)
        {
            var diff = Digest.Parse(diffIds[i]).ToString();
            previous = previous is null ? diff : Digest.FromBytes(Encoding.ASCII.GetBytes(previous + " " + diff)).ToString();
            result[i] = previous;
        }
        return result;
    }
}
