namespace Wharf.EndToEnd.Tests;

/// <summary>What a user saw from one command: its exit code and both output streams.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Fails the test with everything the command printed, so a failure explains itself.</summary>
    public CommandResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"command failed: {this}");
        }

        return this;
    }

    public string[] StdoutLines =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() =>
        $"{CommandLine}\nexit code: {ExitCode} after {Elapsed.TotalSeconds:F1}s\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
