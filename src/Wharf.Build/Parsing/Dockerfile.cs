namespace Wharf.Build.Parsing;

/// <summary>A parsed Dockerfile: its directives and its instructions in order.</summary>
public sealed record Dockerfile(string FileName, ParserDirectives Directives, IReadOnlyList<Instruction> Instructions);
