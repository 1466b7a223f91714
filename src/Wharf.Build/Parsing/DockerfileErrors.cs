using Wharf.Core;

namespace Wharf.Build.Parsing;

/// <summary>Errors that name the file and line, the way users find the fault ("Dockerfile:3: unknown instruction: FOO").</summary>
internal static class DockerfileErrors
{
    public static WharfException At(string file, int line, string fault) => WharfException.Invalid($"{file}:{line}: {fault}");
}
