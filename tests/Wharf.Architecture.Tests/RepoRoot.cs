namespace Wharf.Architecture.Tests;

/// <summary>Locates the repository from the test binary so the rules read the real sources, not a copy.</summary>
internal static class RepoRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Src => System.IO.Path.Combine(Path, "src");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Wharf.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Wharf.slnx not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Source files of a directory tree, leaving out build output.</summary>
    public static IEnumerable<string> SourceFiles(string dir, string pattern) =>
        Directory.EnumerateFiles(dir, pattern, SearchOption.AllDirectories)
            .Where(f => !f.Split(System.IO.Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    public static string Relative(string file) => System.IO.Path.GetRelativePath(Path, file);
}
