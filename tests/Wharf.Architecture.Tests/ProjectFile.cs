using System.Xml.Linq;

namespace Wharf.Architecture.Tests;

/// <summary>One csproj as the rules see it: its name, its project references and its properties.</summary>
internal sealed record ProjectFile(string Name, string FilePath, XDocument Xml)
{
    public static ProjectFile Load(string csproj) =>
        new(System.IO.Path.GetFileNameWithoutExtension(csproj), csproj, XDocument.Load(csproj));

    public static IReadOnlyList<ProjectFile> AllUnder(string dir) =>
        RepoRoot.SourceFiles(dir, "*.csproj").Select(Load).ToList();

    public IEnumerable<string> ProjectReferences =>
        Xml.Descendants("ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .Select(include => System.IO.Path.GetFileNameWithoutExtension(include.Replace('\\', '/')));

    /// <summary>Every value this project gives the property, wherever in the file it is set.</summary>
    public IEnumerable<string> PropertyValues(string property) =>
        Xml.Descendants(property).Select(e => e.Value.Trim());
}
