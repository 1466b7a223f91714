using System.Runtime.InteropServices;
using Wharf.Core;
using Wharf.Oci.Image;

namespace Wharf.Distribution;

/// <summary>
/// Picks one manifest from an image index / manifest list, as containerd's platforms.Only matcher does for
/// dockerd: os and architecture must match; the variant must match when both sides name one, with Go's defaults
/// (arm64 → v8, arm → v7) filled in. Attestation entries (platform unknown/unknown) never match.
/// </summary>
public static class PlatformSelector
{
    /// <summary>This host's platform in Go's names (linux/amd64, linux/arm64/v8…).</summary>
    public static Platform Host => new()
    {
        Os = "linux",
        Architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            Architecture.X86 => "386",
            Architecture.S390x => "s390x",
            Architecture.Ppc64le => "ppc64le",
            Architecture.RiscV64 => "riscv64",
            _ => "amd64",
        },
    };

    /// <summary>Parses "os[/arch[/variant]]" (the ?platform= parameter); "linux" alone means this host's architecture.</summary>
    public static Platform Parse(string value)
    {
        var parts = value.Trim().ToLowerInvariant().Split('/');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0))
            throw WharfException.Invalid($"\"{value}\": unknown operating system or architecture: invalid argument");
        var arch = parts.Length > 1 ? parts[1] : Host.Architecture;
        arch = arch switch { "x86_64" or "x86-64" => "amd64", "aarch64" => "arm64", "armhf" => "arm", _ => arch };
        return new Platform { Os = parts[0], Architecture = arch, Variant = parts.Length > 2 ? parts[2] : null };
    }

    public static string Format(Platform p) => p.Os + "/" + p.Architecture + (string.IsNullOrEmpty(p.Variant) ? "" : "/" + p.Variant);

    public static bool Matches(Platform want, Platform? have)
    {
        if (have is null) return false;
        if (!string.Equals(want.Os, have.Os, StringComparison.OrdinalIgnoreCase)) return false;
        if (!string.Equals(want.Architecture, have.Architecture, StringComparison.OrdinalIgnoreCase)) return false;
        var wantVariant = NormalizeVariant(want.Architecture, want.Variant);
        var haveVariant = NormalizeVariant(have.Architecture, have.Variant);
        return wantVariant is null || haveVariant is null || string.Equals(wantVariant, haveVariant, StringComparison.OrdinalIgnoreCase);
    }

    private static string? NormalizeVariant(string arch, string? variant) => (arch, variant) switch
    {
        ("arm64", null or "" or "8") => "v8",
        ("arm", null or "" or "7") => "v7",
        (_, "") => null,
        _ => variant,
    };

    /// <summary>The first index entry for <paramref name="want"/>, or NotFound with Docker's wording.</summary>
    public static Descriptor Select(ImageIndex index, Platform want)
    {
        ArgumentNullException.ThrowIfNull(index);
        foreach (var m in index.Manifests)
            if (Matches(want, m.Platform)) return m;
        throw WharfException.NotFound($"no matching manifest for {Format(want)} in the manifest list entries");
    }
}
