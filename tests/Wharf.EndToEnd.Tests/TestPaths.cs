namespace Wharf.EndToEnd.Tests;

/// <summary>Where the tests find the published executables and the tools they drive.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    public static string Artifacts => Path.Combine(RepoRoot, "artifacts", "wharf");

    public static string Wharfd => Path.Combine(Artifacts, "wharfd");

    public static string WharfCli => Path.Combine(Artifacts, "wharf");

    public static string WharfShim => Path.Combine(Artifacts, "wharf-shim");

    /// <summary>The docker CLI 28.x the issue names; Debian's /usr/bin/docker (20.10) must not be picked up instead.</summary>
    public const string DockerCli = "/usr/local/bin/docker";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Wharf.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Wharf.slnx not found above {AppContext.BaseDirectory}");
    }
}
