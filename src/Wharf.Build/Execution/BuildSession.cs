using Wharf.Build.Parsing;

namespace Wharf.Build.Execution;

/// <summary>What every stage of one build shares.</summary>
internal sealed class BuildSession
{
    public required IBuildBackend Backend { get; init; }
    public required BuildOptions Options { get; init; }
    public required BuildCache Cache { get; init; }
    public required BuildArgs Args { get; init; }
    public required StagePlan Plan { get; init; }
    public required Dockerfile Dockerfile { get; init; }
    public required string ContextRoot { get; init; }
    public required string CacheMountRoot { get; init; }
    /// <summary>A private directory (mode 0700, beside the context, removed with it) for secret files of RUN mounts.</summary>
    public required string SecretRoot { get; init; }
    /// <summary>Meta ARG values (before the first FROM) plus the platform args: what FROM lines expand with.</summary>
    public required IReadOnlyDictionary<string, string?> GlobalArgs { get; init; }
    public required Func<BuildStage, Task<StageResult>> StageResult { get; init; }
    public required IReadOnlyDictionary<Instruction, int> StepNumbers { get; init; }
    public required int TotalSteps { get; init; }
    /// <summary>The `--cache-from` images found locally (a missing one is skipped, as Docker does).</summary>
    public IReadOnlyList<BaseImage> CacheSources { get; init; } = [];
    public ShellLexer Lexer => new(Dockerfile.Directives.Escape);
}
