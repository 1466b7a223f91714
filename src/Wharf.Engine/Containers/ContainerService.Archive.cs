using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Images;
using Wharf.Oci.Image;
using Wharf.Snapshots;
using Wharf.Snapshots.Archive;

namespace Wharf.Engine.Containers;

/// <summary>diff, export and commit: the container's file system as changes, as a tar, as a new image.</summary>
public sealed partial class ContainerService
{
    /// <summary>Mount points the runtime creates in the writable layer (Docker keeps these in its "-init" layer,
    /// so they never show in diff or commit).</summary>
    internal static readonly string[] RuntimeMountPoints =
        ["dev", "proc", "sys", ".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab"];

    /// <summary>The runtime's mount points in a container's writable layer and the directories made or copied up only
    /// for them: left out of diff and commit.</summary>
    private Func<string, bool> RuntimeStubs(string containerId) => Layers.MountPointStubs(containerId, RuntimeMountPoints).Contains;

    private IContainerLayers Layers =>
        _images as IContainerLayers ?? throw WharfException.NotImplemented("this image store cannot diff or commit containers");

    /// <summary>GET /containers/{id}/changes.</summary>
    public IReadOnlyList<FilesystemChange> Changes(string idOrName)
    {
        var e = Lookup(idOrName);
        return Layers.ContainerChanges(e.Record.Id, RuntimeStubs(e.Record.Id))
            .Select(c => new FilesystemChange { Path = c.Path, Kind = (int)c.Kind })
            .ToList();
    }

    /// <summary>GET /containers/{id}/export: the whole root file system as a tar, running or stopped.</summary>
    public Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        return WithRootfsAsync(e, rootfs => Task.Run(() =>
        {
            using var root = FdHandles.OpenDirectory(rootfs);
            var buffered = new BufferedStream(output, 1 << 16); // not disposed: the caller owns the response stream
            using (var writer = new TreeTarWriter(buffered))
                writer.WriteDirectory(root, "", cancellationToken);
            buffered.Flush();
            return 0;
        }, cancellationToken), cancellationToken);
    }

    /// <summary>POST /commit: a new image from the container's changes (paused meanwhile unless told not to).</summary>
    public async Task<string> CommitAsync(string idOrName, ContainerCommitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var e = Lookup(idOrName);
        var layers = Layers;
        string? name = null;
        if (!string.IsNullOrEmpty(options.Repo)) name = string.IsNullOrEmpty(options.Tag) ? options.Repo : options.Repo + ":" + options.Tag;
        else if (!string.IsNullOrEmpty(options.Tag)) throw WharfException.Invalid("tag given without a repository name");

        ContainerRecord r = e.Record;
        string imageId, createdBy;
        ImageRunConfig config;
        bool running;
        lock (e.Sync)
        {
            if (r.State.RemovalInProgress) throw WharfException.Conflict($"removal of container {r.Id} is already in progress");
            imageId = r.ImageId;
            config = ToImageConfig(r.Config, options.Config);
            createdBy = string.Join(' ', new[] { r.Path }.Concat(r.Args));
            running = r.State.Status == ContainerStatus.Running;
        }
        config = ChangeParser.Apply(config, options.Changes);

        bool paused = false;
        if (options.Pause && running)
        {
            try
            {
                await PauseAsync(r.Id, cancellationToken).ConfigureAwait(false);
                paused = true;
            }
            catch (WharfException ex) when (ex.Kind == ErrorKind.Conflict) { } // stopped or paused meanwhile: nothing to freeze
        }
        var temp = Path.Combine(ContainerDir(r.Id), "commit-" + Guid.NewGuid().ToString("N")[..12] + ".tar");
        string id;
        try
        {
            id = await Task.Run(() =>
            {
                using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                    layers.WriteContainerDiff(r.Id, f, RuntimeStubs(r.Id), cancellationToken);
                if (paused)
                {
                    // The diff is taken: the container may run on while the layer is unpacked.
                    _ = UnpauseQuietlyAsync(r.Id);
                    paused = false;
                }
                using var tar = new FileStream(temp, FileMode.Open, FileAccess.Read);
                return layers.Commit(new ImageCommitRequest(imageId, config, tar, createdBy, options.Comment, options.Author),
                    name is null ? null : [name], cancellationToken);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (paused) await UnpauseQuietlyAsync(r.Id).ConfigureAwait(false);
            File.Delete(temp);
        }
        Raise(e, "commit");
        return id;
    }

    private async Task UnpauseQuietlyAsync(string id)
    {
        try { await UnpauseAsync(id).ConfigureAwait(false); }
        catch (WharfException ex) { _log($"unpause {id} after commit: {ex.Message}"); }
    }

    /// <summary>The container's config as an image config, with the non-empty fields of the request body's
    /// config taking precedence (Docker merges them the same way before applying --change).</summary>
    private static ImageRunConfig ToImageConfig(ContainerConfig c, ContainerConfig? over)
    {
        static List<string>? Pick(List<string>? o, List<string>? c) => o is { Count: > 0 } ? o : c;
        static string? Str(string? o, string? c) => !string.IsNullOrEmpty(o) ? o : string.IsNullOrEmpty(c) ? null : c;
        var hc = over?.Healthcheck ?? c.Healthcheck;
        return new ImageRunConfig
        {
            User = Str(over?.User, c.User),
            ExposedPorts = (over?.ExposedPorts is { Count: > 0 } ? over.ExposedPorts : c.ExposedPorts)?.ToDictionary(kv => kv.Key, _ => (object)new Dictionary<string, object>()),
            Env = Pick(over?.Env, c.Env),
            Entrypoint = Pick(over?.Entrypoint, c.Entrypoint),
            Cmd = Pick(over?.Cmd, c.Cmd),
            Volumes = (over?.Volumes is { Count: > 0 } ? over.Volumes : c.Volumes)?.ToDictionary(kv => kv.Key, _ => (object)new Dictionary<string, object>()),
            WorkingDir = Str(over?.WorkingDir, c.WorkingDir),
            Labels = over?.Labels is { Count: > 0 } ? over.Labels : c.Labels,
            StopSignal = Str(over?.StopSignal, c.StopSignal),
            OnBuild = Pick(over?.OnBuild, c.OnBuild),
            Shell = Pick(over?.Shell, c.Shell),
            Healthcheck = hc is null ? null : new HealthcheckConfig
            {
                Test = hc.Test,
                Interval = hc.Interval,
                Timeout = hc.Timeout,
                StartPeriod = hc.StartPeriod,
                StartInterval = hc.StartInterval,
                Retries = hc.Retries,
            },
        };
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the container's root file system mounted at its
    /// rootfs dir: the running container's own mount, or a mount made for the duration (a stopped container).
    /// Holds the container's gate so no start, stop or removal changes the mount meanwhile.
    /// </summary>
    private async Task<T> WithRootfsAsync<T>(ContainerEntry e, Func<string, Task<T>> work, CancellationToken cancellationToken)
    {
        var id = e.Record.Id;
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool mountedHere = false;
        var rootfs = RootfsDir(id);
        try
        {
            lock (e.Sync)
            {
                if (e.Record.State.RemovalInProgress) throw WharfException.Conflict($"removal of container {id} is already in progress");
            }
            if (!MountHelper.IsMountPoint(rootfs))
            {
                Directory.CreateDirectory(rootfs);
                MountHelper.MountAll(_images.ContainerRootfsMounts(id), rootfs);
                mountedHere = true;
            }
            return await work(rootfs).ConfigureAwait(false);
        }
        finally
        {
            if (mountedHere)
            {
                try { MountHelper.UnmountAll(rootfs); }
                catch (WharfException ex) { _log($"unmount rootfs of {id}: {ex.Message}"); }
            }
            e.Gate.Release();
        }
    }
}
