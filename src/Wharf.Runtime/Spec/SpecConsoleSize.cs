namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>process.consoleSize</c>.</summary>
public sealed record SpecConsoleSize
{
    public uint Height { get; init; }
    public uint Width { get; init; }
}
