namespace Wharf.Build.Parsing;

/// <summary>The instructions Docker knows and the flags each accepts.</summary>
internal static class InstructionRules
{
    private static readonly Dictionary<string, string[]> FlagsByKeyword = new(StringComparer.Ordinal)
    {
        ["FROM"] = ["platform"],
        ["RUN"] = ["mount", "network", "security"],
        ["COPY"] = ["from", "chown", "chmod", "link", "parents", "exclude"],
        ["ADD"] = ["chown", "chmod", "link", "checksum", "keep-git-dir", "exclude", "unpack"],
        ["HEALTHCHECK"] = ["interval", "timeout", "start-period", "start-interval", "retries"],
        ["CMD"] = [], ["ENTRYPOINT"] = [], ["ENV"] = [], ["ARG"] = [], ["WORKDIR"] = [], ["USER"] = [],
        ["EXPOSE"] = [], ["VOLUME"] = [], ["LABEL"] = [], ["STOPSIGNAL"] = [], ["SHELL"] = [], ["ONBUILD"] = [],
        ["MAINTAINER"] = [],
    };

    public static bool IsKnown(string keyword) => FlagsByKeyword.ContainsKey(keyword);

    public static bool AcceptsFlag(string keyword, string flag) => FlagsByKeyword[keyword].Contains(flag);

    public static bool TakesHeredocs(string keyword) => keyword is "RUN" or "COPY" or "ADD";
}
