using Wharf.Build.Context;
using Wharf.Build.Execution;

namespace Wharf.Engine.Build;

/// <summary>POST /build and POST /build/prune: the context arrives as a tar, the builder does the rest. The step
/// cache and RUN --mount=type=cache directories live under the data root ("builder/"), so they outlive restarts.</summary>
public sealed class BuildService : IDisposable
{
    /// <summary>Contexts up to this size are unpacked in memory (tmpfs); larger ones go to the data root.</summary>
    private const long FastContextLimit = 128L << 20;

    private readonly BuildBackend _backend;
    private readonly string _root;
    private readonly ContextSpool _spool;

    public BuildService(string dataRoot, Images.ImageService images, Containers.ContainerService containers)
    {
        _root = Path.Combine(dataRoot, "builder");
        _backend = new BuildBackend(images, containers, Path.Combine(_root, "mnt"));
        Cache = new BuildCache(Path.Combine(_root, "cache"));
        _spool = new ContextSpool(FastContextParent(dataRoot), Path.Combine(_root, "contexts"), FastContextLimit);
        // Contexts of builds that were running when wharfd died; then a fresh fast directory only root can enter.
        foreach (var parent in new[] { _spool.FastParent, _spool.DiskParent })
            if (parent is not null && Directory.Exists(parent)) Directory.Delete(parent, recursive: true);
        if (_spool.FastParent is { } fast)
            Directory.CreateDirectory(fast, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public BuildCache Cache { get; }

    /// <summary>Lets FROM pull missing images (and build --pull pull them all) through the registry client.</summary>
    public Distribution.DistributionService? Distribution { set => _backend.Distribution = value; }

    /// <summary>
    /// A private directory on /dev/shm for this data root (its name is a hash of the data root, so daemons with
    /// their own data roots never share one), or null when /dev/shm is not a tmpfs with room to spare.
    /// </summary>
    private static string? FastContextParent(string dataRoot)
    {
        const string shm = "/dev/shm";
        try
        {
            if (!File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 8 } f && f[4] == shm
                    && f[Array.IndexOf(f, "-") + 1] == "tmpfs")) return null;
            if (new DriveInfo(shm).AvailableFreeSpace < 4 * FastContextLimit) return null;
        }
        catch (IOException) { return null; }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataRoot))))[..16];
        return Path.Combine(shm, "wharf-build-" + hash);
    }

    /// <summary>Reads the whole context (as moby does before it streams any output). The caller disposes it.</summary>
    public Task<BuildContext> ReadContextAsync(Stream contextTar, CancellationToken ct) =>
        Task.Run(() => BuildContext.Extract(contextTar, _spool, ct), ct);

    /// <summary>Removes the in-memory context directory (at shutdown; a build still running loses its context).</summary>
    public void Dispose()
    {
        if (_spool.FastParent is { } fast && Directory.Exists(fast))
        {
            try { Directory.Delete(fast, recursive: true); }
            catch (IOException) { }
        }
    }

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
