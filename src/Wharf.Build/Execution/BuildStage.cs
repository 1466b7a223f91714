using Wharf.Build.Parsing;

namespace Wharf.Build.Execution;

/// <summary>One FROM … section of a Dockerfile.</summary>
internal sealed record BuildStage(int Index, string? Name, Instruction From, IReadOnlyList<Instruction> Instructions);
