namespace Wharf.Runtime;

/// <summary>How a non-interactive exec ended (see <see cref="IContainerRuntime.ExecAsync"/>).</summary>
/// <param name="ExitCode">Exit status, or 128+signal.</param>
/// <param name="Output">stdout and stderr as UTF-8 text in the order they were read, cut at the output limit.</param>
public sealed record ExecResult(int ExitCode, string Output);
