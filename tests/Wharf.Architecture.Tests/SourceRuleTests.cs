using System.Text.RegularExpressions;

namespace Wharf.Architecture.Tests;

/// <summary>
/// Unsafe code and native declarations stay in Wharf.Interop, where they can be reviewed in one place; build
/// strictness comes from Directory.Build.props and no project may opt out of it.
/// </summary>
public sealed partial class SourceRuleTests
{
    private const string InteropProject = "Wharf.Interop";

    [GeneratedRegex(@"\[\s*(?:[\w.]+\.)?(?:LibraryImport|DllImport)(?:Attribute)?\s*[(\]]")]
    private static partial Regex NativeImport();

    [GeneratedRegex(@"^\s*#\s*nullable\s+disable", RegexOptions.Multiline)]
    private static partial Regex NullableDisable();

    private static IEnumerable<string> AllCsproj() =>
        RepoRoot.SourceFiles(RepoRoot.Src, "*.csproj")
            .Concat(RepoRoot.SourceFiles(Path.Combine(RepoRoot.Path, "tests"), "*.csproj"));

    [Fact]
    public void Only_Interop_allows_unsafe_blocks()
    {
        var offenders = ProjectFile.AllUnder(RepoRoot.Src)
            .Where(p => p.Name != InteropProject)
            .Where(p => p.PropertyValues("AllowUnsafeBlocks").Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase)))
            .Select(p => $"{RepoRoot.Relative(p.FilePath)} sets AllowUnsafeBlocks (only {InteropProject} may)")
            .ToList();

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
        var buildProps = File.ReadAllText(Path.Combine(RepoRoot.Path, "Directory.Build.props"));
        Assert.DoesNotContain("AllowUnsafeBlocks", buildProps, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_Interop_declares_native_imports()
    {
        var interopDir = Path.Combine(RepoRoot.Src, InteropProject) + Path.DirectorySeparatorChar;
        var offenders = RepoRoot.SourceFiles(RepoRoot.Src, "*.cs")
            .Where(f => !f.StartsWith(interopDir, StringComparison.Ordinal))
            .Where(f => NativeImport().IsMatch(File.ReadAllText(f)))
            .Select(f => $"{RepoRoot.Relative(f)} declares a LibraryImport/DllImport (they belong in {InteropProject})")
            .ToList();

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void Directory_build_props_turns_on_nullable_warnings_as_errors_and_central_versions()
    {
        var props = ProjectFile.Load(Path.Combine(RepoRoot.Path, "Directory.Build.props"));
        Assert.Equal(["enable"], props.PropertyValues("Nullable"));
        Assert.Equal(["true"], props.PropertyValues("TreatWarningsAsErrors"));
        Assert.Equal(["true"], props.PropertyValues("ManagePackageVersionsCentrally"));
    }

    [Fact]
    public void No_project_turns_off_nullable_or_warnings_as_errors()
    {
        var offenders = new List<string>();
        foreach (var project in AllCsproj().Select(ProjectFile.Load))
        {
            var name = RepoRoot.Relative(project.FilePath);
            offenders.AddRange(project.PropertyValues("Nullable").Where(v => v != "enable")
                .Select(v => $"{name}: Nullable={v}"));
            offenders.AddRange(project.PropertyValues("TreatWarningsAsErrors").Where(v => v != "true")
                .Select(v => $"{name}: TreatWarningsAsErrors={v}"));
            offenders.AddRange(project.PropertyValues("WarningsNotAsErrors").Where(v => v.Length > 0)
                .Select(v => $"{name}: WarningsNotAsErrors={v}"));
            offenders.AddRange(project.PropertyValues("ManagePackageVersionsCentrally").Where(v => v != "true")
                .Select(v => $"{name}: ManagePackageVersionsCentrally={v}"));
            offenders.AddRange(project.Xml.Descendants("PackageReference")
                .Where(e => e.Attribute("Version") is not null || e.Attribute("VersionOverride") is not null)
                .Select(e => $"{name}: PackageReference {(string?)e.Attribute("Include")} pins a version (use Directory.Packages.props)"));
        }

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void No_source_file_disables_nullable()
    {
        var offenders = RepoRoot.SourceFiles(RepoRoot.Src, "*.cs")
            .Where(f => NullableDisable().IsMatch(File.ReadAllText(f)))
            .Select(f => $"{RepoRoot.Relative(f)} has #nullable disable")
            .ToList();

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }
}
