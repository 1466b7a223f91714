using System.Security.Cryptography;

namespace Wharf.Core;

/// <summary>Random 64-hex identifiers, as Docker uses for containers and exec instances.</summary>
public static class Ids
{
    public static string NewId()
    {
        Span<byte> b = stackalloc byte[32];
        RandomNumberGenerator.Fill(b);
        return Convert.ToHexStringLower(b);
    }

    /// <summary>The 12-character short form Docker prints.</summary>
    public static string Short(string id)
    {
        if (id.StartsWith("sha256:", StringComparison.Ordinal)) id = id[7..];
        return id.Length > 12 ? id[..12] : id;
    }
}
