using System.Text;
using System.Text.RegularExpressions;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Snapshots;

/// <summary>
/// Overlayfs snapshots under one root (usually &lt;dataRoot&gt;/snapshots):
/// <list type="bullet">
/// <item><c>layers/&lt;chainhex&gt;</c>: one committed, read-only layer tree per layer chain ID. A layer is
/// unpacked into <c>tmp/&lt;random&gt;</c> and renamed into place, so a directory under a real name is
/// always complete; a crash leaves only <c>tmp/</c> leftovers, removed at construction.</item>
/// <item><c>containers/&lt;id&gt;/{upper,work}</c> plus <c>lowers</c> (the layer dirs, top first):
/// a container's writable layer.</item>
/// <item><c>empty/</c>: the lower dir of images without layers (overlay needs at least one).</item>
/// </list>
/// Thread-safety: operations on different layers/containers are independent; the same layer committed
/// twice concurrently is resolved by the rename (the loser's temp dir is deleted). Callers serialize
/// operations on one container id.
/// </summary>
public sealed partial class OverlaySnapshotter
{
    private readonly string _layers;
    private readonly string _tmp;
    private readonly string _containers;
    private readonly string _empty;

    public OverlaySnapshotter(string root)
    {
        Root = Path.GetFullPath(root);
        _layers = Path.Combine(Root, "layers");
        _tmp = Path.Combine(Root, "tmp");
        _containers = Path.Combine(Root, "containers");
        _empty = Path.Combine(Root, "empty");
        foreach (var d in new[] { _layers, _tmp, _containers, _empty }) Directory.CreateDirectory(d);
        // Half-unpacked layers and half-removed ones from before a crash.
        foreach (var d in Directory.EnumerateDirectories(_tmp)) DeleteTree(d);
    }

    public string Root { get; }

    /// <summary>The directory of a committed layer (whether or not it exists).</summary>
    public string LayerPath(string chainId) => Path.Combine(_layers, KeyOf(chainId));

    public bool LayerExists(string chainId) => Directory.Exists(LayerPath(chainId));

    /// <summary>Chain IDs ("sha256:…") of every committed layer.</summary>
    public IEnumerable<string> Layers() =>
        Directory.EnumerateDirectories(_layers).Select(Path.GetFileName).Where(n => HexRegex().IsMatch(n!)).Select(n => "sha256:" + n);

    /// <summary>Creates an empty private directory to unpack a layer into; finish with
    /// <see cref="CommitLayer"/> or <see cref="AbortLayer"/>.</summary>
    public string PrepareLayerDirectory()
    {
        var dir = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Publishes an unpacked layer under its chain ID. If the layer already exists (a concurrent
    /// unpack won) the temp dir is discarded. Returns the committed path.</summary>
    public string CommitLayer(string tempDirectory, string chainId)
    {
        var target = LayerPath(chainId);
        if (Directory.Exists(target))
        {
            DeleteTree(tempDirectory);
            return target;
        }
        try
        {
            Directory.Move(tempDirectory, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            DeleteTree(tempDirectory);
            return target;
        }
        AtomicFile.FsyncDirectory(_layers);
        return target;
    }

    public void AbortLayer(string tempDirectory) => DeleteTree(tempDirectory);

    /// <summary>Removes a committed layer: renamed out of its name first, so it disappears atomically.</summary>
    public void RemoveLayer(string chainId)
    {
        var path = LayerPath(chainId);
        if (!Directory.Exists(path)) return;
        var trash = Path.Combine(_tmp, KeyOf(chainId) + "-removing-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(path, trash);
        DeleteTree(trash);
    }

    /// <summary>
    /// Creates (idempotently) the writable snapshot of a container over the given layers (bottom first,
    /// as in rootfs.diff_ids) and returns its overlay mount. Cheap: a few mkdirs and one small file.
    /// </summary>
    public IReadOnlyList<Mount> PrepareContainer(string containerId, IReadOnlyList<string> chainIdsBottomFirst)
    {
        ArgumentNullException.ThrowIfNull(chainIdsBottomFirst);
        var dir = ContainerDir(containerId);
        var lowersFile = Path.Combine(dir, "lowers");
        if (File.Exists(lowersFile)) return ContainerMounts(containerId);
        var lowers = new List<string>(chainIdsBottomFirst.Count);
        for (int i = chainIdsBottomFirst.Count - 1; i >= 0; i--)
        {
            var p = LayerPath(chainIdsBottomFirst[i]);
            if (!Directory.Exists(p)) throw WharfException.NotFound($"snapshot {chainIdsBottomFirst[i]} does not exist");
            lowers.Add(p);
        }
        if (lowers.Count == 0) lowers.Add(_empty);
        Directory.CreateDirectory(Path.Combine(dir, "upper"));
        Directory.CreateDirectory(Path.Combine(dir, "work"));
        // Written last: its presence marks a complete container snapshot.
        AtomicFile.WriteAllText(lowersFile, string.Join('\n', lowers));
        return [OverlayMount(dir, lowers)];
    }

    /// <summary>The mounts of an existing container snapshot. NotFound when there is none.</summary>
    public IReadOnlyList<Mount> ContainerMounts(string containerId)
    {
        var dir = ContainerDir(containerId);
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(dir, "lowers"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw WharfException.NotFound($"no root filesystem for container {containerId}");
        }
        var lowers = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [OverlayMount(dir, lowers)];
    }

    /// <summary>The writable (upper) directory of a container: where its changes are (diff, commit, cp).</summary>
    public string ContainerUpperDir(string containerId) => Path.Combine(ContainerDir(containerId), "upper");

    public bool ContainerExists(string containerId) => File.Exists(Path.Combine(ContainerDir(containerId), "lowers"));

    /// <summary>Deletes a container snapshot (the caller has unmounted it). Idempotent.</summary>
    public void RemoveContainer(string containerId)
    {
        var dir = ContainerDir(containerId);
        if (!Directory.Exists(dir)) return;
        var trash = Path.Combine(_tmp, "c-" + Guid.NewGuid().ToString("N"));
        Directory.Move(dir, trash);
        DeleteTree(trash);
    }

    /// <summary>Layer dirs referenced by any container snapshot (so they are not removed under it).</summary>
    public ISet<string> LayersInUseByContainers()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in Directory.EnumerateDirectories(_containers))
        {
            try
            {
                foreach (var l in File.ReadAllText(Path.Combine(d, "lowers")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    set.Add(l);
            }
            catch (IOException) { }
        }
        return set;
    }

    private static Mount OverlayMount(string containerDir, IReadOnlyList<string> lowersTopFirst)
    {
        var options = new List<string>
        {
            "lowerdir=" + string.Join(':', lowersTopFirst),
            "upperdir=" + Path.Combine(containerDir, "upper"),
            "workdir=" + Path.Combine(containerDir, "work"),
        };
        // The kernel takes mount data up to one page; beyond that, mounting fails with EINVAL.
        var length = Encoding.UTF8.GetByteCount(string.Join(',', options));
        if (length >= 4096)
            throw WharfException.NotImplemented($"too many layers for one overlay mount ({lowersTopFirst.Count} layers, {length} bytes of mount options)");
        return new Mount("overlay", "overlay", options);
    }

    private string ContainerDir(string containerId)
    {
        if (string.IsNullOrEmpty(containerId) || !IdRegex().IsMatch(containerId))
            throw WharfException.Invalid($"invalid container id {containerId}");
        return Path.Combine(_containers, containerId);
    }

    private static string KeyOf(string chainId)
    {
        var hex = chainId.StartsWith("sha256:", StringComparison.Ordinal) ? chainId[7..] : chainId;
        if (!HexRegex().IsMatch(hex)) throw WharfException.Invalid($"invalid chain id {chainId}");
        return hex;
    }

    /// <summary>Recursive delete that never follows symlinks (Directory.Delete removes links, not targets)
    /// and tolerates a tree that is already gone.</summary>
    internal static void DeleteTree(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (UnauthorizedAccessException)
        {
            // Read-only directories inside an unpacked layer: make them writable and retry once.
            foreach (var d in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
                Native.chmod(d, 0x1ed /* 0755 */);
            Native.chmod(path, 0x1ed);
            Directory.Delete(path, recursive: true);
        }
    }

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex HexRegex();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex IdRegex();
}
