namespace Wharf.Build.Execution;

/// <summary>A RUN step: the command (already wrapped in the stage's SHELL for the shell form) run in a container
/// of <paramref name="ImageId"/> with the stage's env, user and working directory.</summary>
public sealed record RunStepRequest(
    string ImageId,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string? User,
    string? WorkingDir,
    string? NetworkMode,
    IReadOnlyList<RunMount> Mounts);
