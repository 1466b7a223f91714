namespace Wharf.Build.Parsing;

/// <summary>A <c>--name[=value]</c> flag in front of an instruction's arguments; the value is raw (not yet expanded).</summary>
public sealed record InstructionFlag(string Name, string? Value);
