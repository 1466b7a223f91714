using System.Text.RegularExpressions;
using Wharf.Core;

namespace Wharf.Oci.Reference;

/// <summary>
/// A normalized image reference, parsed exactly like Docker's distribution/reference
/// <c>ParseNormalizedNamed</c>: "busybox" is "docker.io/library/busybox", "index.docker.io" becomes "docker.io",
/// a first component is a registry only if it contains '.' or ':' or is "localhost" (or has uppercase).
/// <see cref="Tag"/> and <see cref="Digest"/> are null when absent; <see cref="WithDefaultTag"/> adds
/// "latest" only when both are absent (reference.TagNameOnly).
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultDomain = "docker.io";
    private const string LegacyDefaultDomain = "index.docker.io";
    private const string OfficialRepoPrefix = "library/";
    public const string DefaultTag = "latest";
    private const int NameTotalLengthMax = 255;

    private ImageReference(string domain, string path, string? tag, string? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Registry host (with port), e.g. "docker.io", "localhost:5000".</summary>
    public string Domain { get; }

    /// <summary>Repository path inside the registry, e.g. "library/busybox".</summary>
    public string Path { get; }

    public string? Tag { get; }

    /// <summary>"sha256:…" or null.</summary>
    public string? Digest { get; }

    /// <summary>The fully-qualified repository name: "docker.io/library/busybox" (reference.Named.Name()).</summary>
    public string Name => Domain + "/" + Path;

    /// <summary>The short repository name users type: "busybox", "user/app", "localhost:5000/a/b".</summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DefaultDomain) return Name;
            if (Path.StartsWith(OfficialRepoPrefix, StringComparison.Ordinal) &&
                Path.IndexOf('/', OfficialRepoPrefix.Length) < 0)
                return Path[OfficialRepoPrefix.Length..];
            return Path;
        }
    }

    /// <summary>reference.FamiliarString: "busybox:latest", "busybox@sha256:…".</summary>
    public string FamiliarString => FamiliarName + Suffix;

    /// <summary>The full normalized form: "docker.io/library/busybox:latest".</summary>
    public override string ToString() => Name + Suffix;

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>Adds the "latest" tag when the reference has neither tag nor digest.</summary>
    public ImageReference WithDefaultTag() => Tag is null && Digest is null ? new ImageReference(Domain, Path, DefaultTag, null) : this;

    public ImageReference WithTag(string tag)
    {
        if (!AnchoredTagRegex().IsMatch(tag)) throw WharfException.Invalid("invalid tag format");
        return new ImageReference(Domain, Path, tag, null);
    }

    public ImageReference WithDigest(string digest)
    {
        Oci.Digest.Parse(digest);
        return new ImageReference(Domain, Path, null, digest);
    }

    /// <summary>The reference without tag and digest.</summary>
    public ImageReference NameOnly() => new(Domain, Path, null, null);

    /// <summary>Parses like ParseNormalizedNamed; throws InvalidArgument with Docker's wording.</summary>
    public static ImageReference Parse(string value)
    {
        if (TryParse(value, out var r, out var error)) return r;
        throw WharfException.Invalid(error);
    }

    public static bool TryParse(string? value, out ImageReference reference) => TryParse(value, out reference, out _);

    public static bool TryParse(string? value, out ImageReference reference, out string error)
    {
        reference = null!;
        value ??= "";
        if (AnchoredIdentifierRegex().IsMatch(value))
        {
            error = $"invalid repository name ({value}), cannot specify 64-byte hexadecimal strings";
            return false;
        }
        var (domain, remainder) = SplitDockerDomain(value);
        int tagSep = remainder.IndexOf(':', StringComparison.Ordinal);
        var remoteName = tagSep >= 0 ? remainder[..tagSep] : remainder;
        if (!string.Equals(remoteName.ToLowerInvariant(), remoteName, StringComparison.Ordinal))
        {
            error = $"invalid reference format: repository name ({remoteName}) must be lowercase";
            return false;
        }
        return TryParseFull(domain + "/" + remainder, out reference, out error);
    }

    /// <summary>distribution/reference.Parse on an already-normalized string.</summary>
    private static bool TryParseFull(string s, out ImageReference reference, out string error)
    {
        reference = null!;
        var m = ReferenceRegex().Match(s);
        if (!m.Success)
        {
            if (s.Length == 0) error = "repository name must have at least one component";
            else if (ReferenceRegex().IsMatch(s.ToLowerInvariant())) error = "repository name must be lowercase";
            else error = "invalid reference format";
            return false;
        }
        var name = m.Groups["name"].Value;
        if (name.Length > NameTotalLengthMax)
        {
            error = $"repository name must not be more than {NameTotalLengthMax} characters";
            return false;
        }
        string? digest = m.Groups["digest"].Success ? m.Groups["digest"].Value : null;
        if (digest is not null && !Oci.Digest.TryParse(digest, out _))
        {
            try { Oci.Digest.Parse(digest); }
            catch (WharfException e) { error = e.Message; return false; }
        }
        string? tag = m.Groups["tag"].Success ? m.Groups["tag"].Value : null;
        // The regex guarantees a domain part here because the caller always prefixes one.
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        var domain = name[..slash];
        var path = name[(slash + 1)..];
        reference = new ImageReference(domain, path, tag, digest);
        error = "";
        return true;
    }

    private static (string Domain, string Remainder) SplitDockerDomain(string name)
    {
        string domain, remainder;
        int i = name.IndexOf('/', StringComparison.Ordinal);
        if (i == -1 || (name.AsSpan(0, i).IndexOfAny('.', ':') < 0 && name[..i] != "localhost" &&
                        string.Equals(name[..i].ToLowerInvariant(), name[..i], StringComparison.Ordinal)))
        {
            domain = DefaultDomain;
            remainder = name;
        }
        else
        {
            domain = name[..i];
            remainder = name[(i + 1)..];
        }
        if (domain == LegacyDefaultDomain) domain = DefaultDomain;
        if (domain == DefaultDomain && !remainder.Contains('/', StringComparison.Ordinal))
            remainder = OfficialRepoPrefix + remainder;
        return (domain, remainder);
    }

    /// <summary>True when <paramref name="value"/> is a valid tag (e.g. the "tag" query parameter).</summary>
    public static bool IsValidTag(string value) => AnchoredTagRegex().IsMatch(value);

    // The grammar of distribution/reference regexp.go, anchored.
    private const string Alnum = "[a-z0-9]+";
    private const string Separator = "(?:[._]|__|[-]+)";
    private const string PathComponent = Alnum + "(?:" + Separator + Alnum + ")*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainName = DomainComponent + @"(?:\." + DomainComponent + ")*";
    private const string Ipv6 = @"\[(?:[a-fA-F0-9:]+)\]";
    private const string Host = "(?:" + DomainName + "|" + Ipv6 + ")";
    private const string DomainAndPort = Host + "(?::[0-9]+)?";
    private const string NamePattern = "(?:" + DomainAndPort + "/)?" + PathComponent + "(?:/" + PathComponent + ")*";
    private const string TagPattern = @"[\w][\w.-]{0,127}";
    private const string DigestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    [GeneratedRegex("^(?<name>" + NamePattern + ")(?::(?<tag>" + TagPattern + "))?(?:@(?<digest>" + DigestPattern + "))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceRegex();

    [GeneratedRegex("^" + TagPattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchoredTagRegex();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchoredIdentifierRegex();
}
