using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// HostConfig.SecurityOpt parsed as moby's parseSecurityOpt does: "no-new-privileges[=bool]", "seccomp=…",
/// "apparmor=…", "label=…" (or "disable"), with ":" accepted as the old separator. On this host there is
/// neither AppArmor nor SELinux, so apparmor and label values are accepted and have no effect, as in Docker.
/// </summary>
public sealed record SecurityOptions
{
    public bool NoNewPrivileges { get; init; }

    /// <summary>null = Docker's default profile; "unconfined"; otherwise a profile JSON in Docker's format
    /// (the docker CLI reads the file and sends its content inline).</summary>
    public string? Seccomp { get; init; }

    public string? AppArmor { get; init; }

    public IReadOnlyList<string> Labels { get; init; } = [];

    public bool SeccompUnconfined => Seccomp == "unconfined";

    /// <summary>The custom profile JSON, or null for the default or unconfined.</summary>
    public string? SeccompProfileJson => Seccomp is null or "unconfined" ? null : Seccomp;

    public static SecurityOptions Parse(IReadOnlyList<string>? options)
    {
        bool nnp = false;
        string? seccomp = null, apparmor = null;
        var labels = new List<string>();
        foreach (var opt in options ?? [])
        {
            if (opt == "no-new-privileges") { nnp = true; continue; }
            if (opt == "disable") { labels.Add("disable"); continue; }

            int sep = opt.IndexOf('=', StringComparison.Ordinal);
            if (sep < 0) sep = opt.IndexOf(':', StringComparison.Ordinal);
            if (sep < 0) throw WharfException.Invalid($"invalid --security-opt 1: \"{opt}\"");
            string key = opt[..sep], value = opt[(sep + 1)..];
            switch (key)
            {
                case "label":
                    labels.Add(value);
                    break;
                case "apparmor":
                    apparmor = value;
                    break;
                case "seccomp":
                    // "builtin" names the default profile (what dockerd uses when none is configured).
                    seccomp = value is "" or "builtin" ? null : value;
                    break;
                case "no-new-privileges":
                    nnp = ParseGoBool(value) ?? throw WharfException.Invalid($"invalid --security-opt 2: \"{opt}\"");
                    break;
                default:
                    throw WharfException.Invalid($"invalid --security-opt 2: \"{opt}\"");
            }
        }
        var parsed = new SecurityOptions { NoNewPrivileges = nnp, Seccomp = seccomp, AppArmor = apparmor, Labels = labels };
        // A broken profile is refused at create, not at the first start.
        if (parsed.SeccompProfileJson is { } json) DockerSeccompProfile.Validate(json);
        return parsed;
    }

    /// <summary>Go's strconv.ParseBool.</summary>
    private static bool? ParseGoBool(string v) => v switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };
}
