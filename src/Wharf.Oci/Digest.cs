using System.Security.Cryptography;
using Wharf.Core;

namespace Wharf.Oci;

/// <summary>
/// A validated content digest. Only sha256 is supported: every digest that reaches a path
/// (blobs/sha256/&lt;hex&gt;) went through <see cref="Parse"/>, so "sha256:../../x", uppercase or short
/// hex never become path components (CVE-2014-9358 / CVE-2024-3727 class).
/// </summary>
public sealed record Digest
{
    public const string Sha256 = "sha256";

    private Digest(string hex) => Hex = hex;

    /// <summary>The algorithm; always "sha256".</summary>
    public string Algorithm => Sha256;

    /// <summary>The 64 lowercase hex characters.</summary>
    public string Hex { get; }

    public override string ToString() => Sha256 + ":" + Hex;

    /// <summary>Parses "sha256:&lt;64 lowercase hex&gt;" or throws InvalidArgument with go-digest's wording.</summary>
    public static Digest Parse(string value)
    {
        if (TryParse(value, out var d, out var error)) return d;
        throw WharfException.Invalid(error);
    }

    public static bool TryParse(string? value, out Digest digest) => TryParse(value, out digest, out _);

    private static bool TryParse(string? value, out Digest digest, out string error)
    {
        digest = null!;
        if (string.IsNullOrEmpty(value)) { error = "invalid checksum digest format"; return false; }
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1) { error = "invalid checksum digest format"; return false; }
        var alg = value[..colon];
        var hex = value[(colon + 1)..];
        if (alg != Sha256)
        {
            // go-digest: a well-formed digest of an algorithm it does not implement is "unsupported".
            error = alg.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '.' or '_' or '-') && IsLowerHexOrEmpty(hex)
                ? "unsupported digest algorithm" : "invalid checksum digest format";
            return false;
        }
        if (hex.Length != 64) { error = "invalid checksum digest length"; return false; }
        if (!IsLowerHex(hex)) { error = "invalid checksum digest format"; return false; }
        digest = new Digest(hex);
        error = "";
        return true;
    }

    /// <summary>Wraps 64 lowercase hex characters (an image ID without its prefix).</summary>
    public static Digest FromHex(string hex) => Parse(Sha256 + ":" + hex);

    public static Digest FromBytes(ReadOnlySpan<byte> data) => new(Convert.ToHexStringLower(SHA256.HashData(data)));

    public static Digest FromStream(Stream stream) => new(Convert.ToHexStringLower(SHA256.HashData(stream)));

    /// <summary>Wraps a finished incremental hash.</summary>
    public static Digest FromHash(IncrementalHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return new(Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    internal static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        return true;
    }

    private static bool IsLowerHexOrEmpty(string s) => s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F');

    /// <summary>True for exactly 64 lowercase hex characters (an ID in Docker's sense).</summary>
    public static bool IsFullHex(string s) => s.Length == 64 && IsLowerHex(s);
}
