namespace Wharf.Build.Parsing;

/// <summary>The parser directives at the top of a Dockerfile (<c># escape=`</c>, <c># syntax=…</c>, <c># check=…</c>).</summary>
public sealed record ParserDirectives(char Escape, string? Syntax, string? Check)
{
    public static ParserDirectives Default { get; } = new('\\', null, null);
}
