namespace Wharf.Build.Parsing;

/// <summary>
/// One parsed instruction. <see cref="Args"/> is the raw argument text after the flags, continuation lines joined;
/// <see cref="Json"/> is set when the arguments are a valid JSON string array (exec form).
/// <see cref="Original"/> is the instruction as Docker prints it in "Step n/m : …".
/// </summary>
public sealed class Instruction
{
    public required string Keyword { get; init; }
    public required IReadOnlyList<InstructionFlag> Flags { get; init; }
    public required string Args { get; init; }
    public IReadOnlyList<string>? Json { get; init; }
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];
    public required int Line { get; init; }
    public required int EndLine { get; init; }
    public required string Original { get; init; }
    /// <summary>For ONBUILD: the trigger instruction.</summary>
    public Instruction? Trigger { get; init; }

    public string? Flag(string name) => Flags.LastOrDefault(f => f.Name == name)?.Value;

    public bool HasFlag(string name) => Flags.Any(f => f.Name == name);

    public IEnumerable<string> FlagValues(string name) => Flags.Where(f => f.Name == name).Select(f => f.Value ?? "");

    public override string ToString() => Original;
}
