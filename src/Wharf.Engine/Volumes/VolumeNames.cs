using System.Text.RegularExpressions;
using Wharf.Core;

namespace Wharf.Engine.Volumes;

/// <summary>The local driver's naming rule (moby <c>volume/local</c>): a name that fails it is most often a
/// relative host path meant as a bind, hence the hint in Docker's message.</summary>
public static partial class VolumeNames
{
    public const string RestrictedChars = "[a-zA-Z0-9][a-zA-Z0-9_.-]";

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex Valid();

    public static void Validate(string name)
    {
        if (!Valid().IsMatch(name))
            throw WharfException.Invalid($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"{RestrictedChars}\" are allowed. If you intended to pass a host directory, use absolute path");
    }
}
