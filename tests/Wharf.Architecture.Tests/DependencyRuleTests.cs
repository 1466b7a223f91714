namespace Wharf.Architecture.Tests;

/// <summary>
/// The projects may only depend on each other along these edges: the engine's layers point one way (from the
/// daemon towards the core), and the client side never sees the engine.
/// </summary>
public sealed class DependencyRuleTests
{
    internal static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Wharf.Core"] = [],
        ["Wharf.Api"] = [],
        ["Wharf.Oci"] = ["Wharf.Core"],
        ["Wharf.Interop"] = ["Wharf.Core"],
        ["Wharf.Content"] = ["Wharf.Core", "Wharf.Oci"],
        ["Wharf.Snapshots"] = ["Wharf.Core", "Wharf.Interop"],
        ["Wharf.Images"] = ["Wharf.Core", "Wharf.Oci", "Wharf.Content", "Wharf.Snapshots", "Wharf.Interop"],
        ["Wharf.Runtime"] = ["Wharf.Core", "Wharf.Oci", "Wharf.Interop"],
        ["Wharf.Shim"] = ["Wharf.Core", "Wharf.Interop", "Wharf.Runtime"],
        ["Wharf.Network"] = ["Wharf.Core", "Wharf.Interop"],
        ["Wharf.Distribution"] = ["Wharf.Core", "Wharf.Oci", "Wharf.Content", "Wharf.Images"],
        ["Wharf.Build"] =
        [
            "Wharf.Core", "Wharf.Oci", "Wharf.Content", "Wharf.Snapshots", "Wharf.Images", "Wharf.Runtime", "Wharf.Interop",
        ],
        ["Wharf.Engine"] =
        [
            "Wharf.Core", "Wharf.Api", "Wharf.Oci", "Wharf.Content", "Wharf.Snapshots", "Wharf.Images",
            "Wharf.Runtime", "Wharf.Interop", "Wharf.Network", "Wharf.Distribution", "Wharf.Build",
        ],
        // The registry server is its own program (`wharf registry serve`) over the same content-store code. It uses
        // Wharf.Interop for sync_file_range: uploads start their disk writeback while they arrive (docs/registry.md).
        ["Wharf.Registry"] = ["Wharf.Core", "Wharf.Oci", "Wharf.Content", "Wharf.Interop"],
        ["Wharf.Daemon"] = ["Wharf.Core", "Wharf.Api", "Wharf.Engine"],
        ["Wharf.Client"] = ["Wharf.Api"],
        ["Wharf.Cli"] = ["Wharf.Api", "Wharf.Client", "Wharf.Registry"],
    };

    [Fact]
    public void Every_source_project_is_part_of_the_allowed_graph()
    {
        var unknown = ProjectFile.AllUnder(RepoRoot.Src)
            .Where(p => !Allowed.ContainsKey(p.Name))
            .Select(p => $"{RepoRoot.Relative(p.FilePath)} is not in the dependency rules")
            .ToList();

        Assert.True(unknown.Count == 0, string.Join("\n", unknown));
    }

    [Fact]
    public void Source_projects_only_reference_allowed_projects()
    {
        var forbidden = new List<string>();
        foreach (var project in ProjectFile.AllUnder(RepoRoot.Src))
        {
            var allowed = Allowed.TryGetValue(project.Name, out var edges) ? edges : [];
            forbidden.AddRange(project.ProjectReferences
                .Where(target => !allowed.Contains(target))
                .Select(target => $"forbidden project reference: {project.Name} -> {target}"));
        }

        Assert.True(forbidden.Count == 0, string.Join("\n", forbidden));
    }

    [Fact]
    public void The_allowed_graph_has_no_cycle()
    {
        var state = new Dictionary<string, bool>(); // false = on the current path, true = done
        void Visit(string node, List<string> path)
        {
            if (state.TryGetValue(node, out var done))
            {
                Assert.True(done, "cycle: " + string.Join(" -> ", path.Append(node)));
                return;
            }

            state[node] = false;
            foreach (var next in Allowed[node])
            {
                Visit(next, [.. path, node]);
            }

            state[node] = true;
        }

        foreach (var node in Allowed.Keys)
        {
            Visit(node, []);
        }
    }

    [Fact]
    public void The_projects_found_are_the_expected_ones()
    {
        // Guards the guard: if the scan found nothing (wrong root), every other rule would pass vacuously.
        var names = ProjectFile.AllUnder(RepoRoot.Src).Select(p => p.Name).ToHashSet();
        Assert.Contains("Wharf.Core", names);
        Assert.Contains("Wharf.Engine", names);
        Assert.Contains("Wharf.Daemon", names);
        Assert.True(names.Count >= 10, $"only {names.Count} projects found under {RepoRoot.Src}");
    }
}
