namespace Wharf.Engine.Containers;

/// <summary>One exec instance (moby's ExecConfig): what was asked at create, and how its run went.
/// Kept in memory only, as Docker does; the process itself lives under its own monitor.</summary>
internal sealed class ExecInstance
{
    public required string Id { get; init; }
    public required string ContainerId { get; init; }
    public required string Entrypoint { get; init; }
    public required IReadOnlyList<string> Arguments { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public string User { get; init; } = "";
    public string WorkingDir { get; init; } = "";
    public bool Tty { get; init; }
    public bool Privileged { get; init; }
    public bool OpenStdin { get; init; }
    public bool OpenStdout { get; init; }
    public bool OpenStderr { get; init; }
    public string DetachKeys { get; init; } = "";
    public int ConsoleHeight { get; init; }
    public int ConsoleWidth { get; init; }

    /// <summary>Guards the mutable fields below.</summary>
    public readonly object Sync = new();
    public bool Started { get; set; }
    public bool Running { get; set; }
    public int Pid { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset? ExitedAt { get; set; }

    /// <summary>Completes once the monitor exists (true) or starting failed (false): resize waits on it.</summary>
    public TaskCompletionSource<bool> Launched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the exit code is recorded here.</summary>
    public TaskCompletionSource Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>moby's event action suffix: entrypoint, a space, the arguments joined by spaces.</summary>
    public string CommandLine => Entrypoint + " " + string.Join(' ', Arguments);
}
