using Wharf.Build.Context;
using Wharf.Build.Execution;

namespace Wharf.Engine.Build;

/// <summary>POST /build and POST /build/prune: the context arrives as a tar, the builder does the rest. The step
/// cache and RUN --mount=type=cache directories live under the data root ("builder/"), so they outlive restarts.</summary>
public sealed class BuildService
{
    private readonly BuildBackend _backend;
    private readonly string _root;

    public BuildService(string dataRoot, Images.ImageService images, Containers.ContainerService containers)
    {
        _root = Path.Combine(dataRoot, "builder");
        _backend = new BuildBackend(images, containers, Path.Combine(_root, "mnt"));
        Cache = new BuildCache(Path.Combine(_root, "cache"));
    }

    public BuildCache Cache { get; }

    /// <summary>Reads the whole context (as moby does before it streams any output). The caller disposes it.</summary>
    public Task<BuildContext> ReadContextAsync(Stream contextTar, CancellationToken ct) =>
        Task.Run(() => BuildContext.Extract(contextTar, Path.Combine(_root, "contexts"), ct), ct);

    public async Task<string> BuildAsync(BuildContext context, BuildOptions options, IBuildOutput output, CancellationToken ct)
    {
        var builder = new DockerfileBuilder(_backend, Cache, Path.Combine(_root, "cache-mounts"));
        return await builder.BuildAsync(context, options, output, ct);
    }

    /// <summary>`docker builder prune`: drops step cache entries and cache mounts; returns the entries removed.</summary>
    public (IReadOnlyList<string> Removed, long Reclaimed) Prune()
    {
        var removed = Cache.Prune();
        long reclaimed = 0;
        var mounts = Path.Combine(_root, "cache-mounts");
        if (Directory.Exists(mounts))
        {
            foreach (var f in Directory.EnumerateFiles(mounts, "*", SearchOption.AllDirectories))
                reclaimed += new FileInfo(f).Length;
            Directory.Delete(mounts, recursive: true);
        }
        return (removed, reclaimed);
    }
}
