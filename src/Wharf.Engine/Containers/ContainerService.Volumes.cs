using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Volumes;
using Wharf.Runtime.Spec;

namespace Wharf.Engine.Containers;

/// <summary>Mounts of containers: resolved at create (binds, <c>--mount</c>, <c>--volumes-from</c>, the image's
/// VOLUMEs as anonymous volumes), made ready at start (volume mounts, copy-up), released at stop, anonymous
/// volumes removed with the container when asked (rm -v, --rm).</summary>
public sealed partial class ContainerService : IVolumeUsage
{
    /// <summary>The volume store containers mount from.</summary>
    public VolumeService Volumes => _volumes;

    /// <summary>moby registerMountPoints + the anonymous volumes of Config.Volumes. Validates everything before
    /// creating any volume; names of the volumes it created land in <paramref name="created"/>.</summary>
    private List<MountPointRecord> ResolveMounts(ContainerConfig config, HostConfig hc, List<string> created)
    {
        var points = new Dictionary<string, MountPointRecord>(StringComparer.Ordinal);

        foreach (var spec in hc.VolumesFrom ?? [])
        {
            var (source, mode) = MountSpecParser.ParseVolumesFrom(spec);
            var parent = Lookup(source);
            bool rw = !mode.Split(',').Contains("ro");
            lock (parent.Sync)
                foreach (var m in parent.Record.MountPoints ?? [])
                {
                    if (m.Type is not ("bind" or "volume")) continue;
                    var copy = m.Clone();
                    copy.RW = m.RW && rw;
                    copy.CopyData = false;
                    points[copy.Destination] = copy;
                }
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in hc.Binds ?? [])
        {
            var mp = MountSpecParser.ParseBind(raw);
            if (!taken.Add(mp.Destination)) throw WharfException.Invalid("Duplicate mount point: " + mp.Destination);
            if (mp.Type == "volume")
            {
                if (mp.Mode.Length == 0) mp.Mode = "z";
                if (!string.IsNullOrEmpty(hc.VolumeDriver)) mp.Driver = hc.VolumeDriver;
            }
            points[mp.Destination] = mp;
        }
        foreach (var m in hc.Mounts ?? [])
        {
            var mp = MountSpecParser.ParseMount(m);
            if (!taken.Add(mp.Destination)) throw WharfException.Invalid("Duplicate mount point: " + m.Target);
            if (mp.Type == "volume" && mp.Mode.Length == 0) mp.Mode = "z";
            points[mp.Destination] = mp;
        }
        foreach (var dest in hc.Tmpfs?.Keys ?? Enumerable.Empty<string>())
            if (points.ContainsKey(MountSpecParser.Clean(dest))) throw WharfException.Invalid("Duplicate mount point: " + dest);

        foreach (var path in config.Volumes?.Keys ?? Enumerable.Empty<string>())
        {
            if (!path.StartsWith('/'))
                throw WharfException.Invalid($"invalid mount config for type \"volume\": invalid mount path: '{path}' mount path must be absolute");
            var dest = MountSpecParser.Clean(path);
            if (dest == "/") throw WharfException.Invalid("invalid mount config for type \"volume\": invalid specification: destination can't be '/'");
            if (points.ContainsKey(dest) || (hc.Tmpfs?.Keys.Any(t => MountSpecParser.Clean(t) == dest) ?? false)) continue;
            points[dest] = new MountPointRecord { Type = "volume", Destination = dest, Driver = "local", CopyData = true };
        }

        // Everything is valid: create what is missing.
        foreach (var mp in points.Values.Where(p => p.Type == "volume"))
        {
            var (record, isNew) = _volumes.CreateRecord(mp.Named ? mp.Name : null, mp.Driver, mp.VolumeDriverOptions, mp.VolumeLabels, anonymous: !mp.Named);
            if (isNew) created.Add(record.Name);
            mp.Name = record.Name;
            mp.Driver = record.Driver;
            mp.VolumeLabels = null;
            mp.VolumeDriverOptions = null;
        }
        return [.. points.Values.OrderBy(p => p.Destination, StringComparer.Ordinal)];
    }

    /// <summary>Removes volumes a failed create made (best effort).</summary>
    private void RemoveCreatedVolumes(List<string> created)
    {
        foreach (var name in created)
        {
            try { _volumes.Remove(name); }
            catch (WharfException ex) { _log($"remove volume {name} of a failed create: {ex.Message}"); }
        }
    }

    /// <summary>At start, before the spec is built: creates missing bind sources (<c>-v</c> does), mounts the
    /// volumes and copies the image's content into new empty ones.</summary>
    private void PrepareMounts(ContainerEntry e, string rootfs)
    {
        var r = e.Record;
        List<MountPointRecord> points;
        lock (e.Sync) points = r.MountPoints ?? [];
        try
        {
            foreach (var m in points)
            {
                if (m.Type == "bind" && !Path.Exists(m.Source)) Directory.CreateDirectory(m.Source);
                if (m.Type != "volume") continue;
                var hostPath = _volumes.Mount(m.Name, r.Id, m.Destination, m.RW, m.Propagation);
                if (!m.CopyData) continue;
                var imagePath = Path.Combine(rootfs, m.Destination.TrimStart('/'));
                if (VolumeCopier.IsPlainDirectoryUnder(rootfs, imagePath) && VolumeCopier.IsEmptyDirectory(hostPath))
                    VolumeCopier.CopyTree(imagePath, hostPath);
                lock (e.Sync) m.CopyData = false;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReleaseVolumes(r);
            throw WharfException.Internal("error while preparing mounts: " + ex.Message);
        }
        catch (WharfException)
        {
            ReleaseVolumes(r);
            throw;
        }
    }

    /// <summary>A running container found again after a daemon restart keeps its volumes marked in use.</summary>
    private void ReacquireVolumes(ContainerRecord r)
    {
        foreach (var m in r.MountPoints ?? [])
        {
            if (m.Type != "volume") continue;
            try { _volumes.Mount(m.Name, r.Id, m.Destination, m.RW, m.Propagation, quiet: true); }
            catch (WharfException ex) { _log($"re-adopt volume {m.Name} of {r.Id}: {ex.Message}"); }
        }
    }

    /// <summary>The container no longer runs: its volumes are unmounted (idempotent).</summary>
    private void ReleaseVolumes(ContainerRecord r)
    {
        foreach (var m in r.MountPoints ?? [])
            if (m.Type == "volume") _volumes.Unmount(m.Name, r.Id);
    }

    /// <summary>rm -v and --rm: the container's anonymous volumes go too, unless another container uses them.</summary>
    private void RemoveAnonymousVolumes(ContainerRecord r)
    {
        foreach (var m in r.MountPoints ?? [])
        {
            if (m.Type != "volume" || m.Named) continue;
            try { _volumes.Remove(m.Name); }
            catch (WharfException ex) when (ex.Kind is ErrorKind.Conflict or ErrorKind.NotFound) { }
            catch (WharfException ex) { _log($"remove volume {m.Name} of {r.Id}: {ex.Message}"); }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<(string Id, bool Running)> ContainersUsingVolume(string volumeName)
    {
        var list = new List<(string, bool)>();
        foreach (var e in Snapshot())
            lock (e.Sync)
                if (e.Record.MountPoints?.Any(m => m.Type == "volume" && m.Name == volumeName) == true)
                    list.Add((e.Record.Id, e.Record.State.IsRunning));
        return list;
    }

    /// <summary>The container's mounts for the runtime spec, parents before children (moby sortMounts).</summary>
    private List<SpecInputMount> SpecMounts(ContainerRecord r)
    {
        var mounts = new List<SpecInputMount>();
        foreach (var m in r.MountPoints ?? [])
        {
            switch (m.Type)
            {
                case "bind":
                    mounts.Add(new SpecInputMount
                    {
                        Type = "bind", Source = m.Source, Destination = m.Destination, ReadOnly = !m.RW,
                        Propagation = m.Propagation.Length == 0 ? "rprivate" : m.Propagation, Recursive = !m.NonRecursive,
                    });
                    break;
                case "volume":
                    mounts.Add(new SpecInputMount { Type = "bind", Source = _volumes.MountpointOf(m.Name), Destination = m.Destination, ReadOnly = !m.RW });
                    break;
                case "tmpfs":
                    mounts.Add(new SpecInputMount { Type = "tmpfs", Source = "tmpfs", Destination = m.Destination, Options = m.TmpfsOptions ?? [] });
                    break;
            }
        }
        foreach (var (dest, options) in r.HostConfig.Tmpfs ?? [])
            mounts.Add(new SpecInputMount { Type = "tmpfs", Source = "tmpfs", Destination = dest, Options = options.Length == 0 ? [] : options.Split(',') });
        return [.. mounts.OrderBy(m => m.Destination.TrimEnd('/').Count(c => c == '/'))];
    }

    /// <summary>"Mounts" of inspect and list, as Docker shows them.</summary>
    private List<MountPoint> MountPoints(ContainerRecord r)
    {
        var list = new List<MountPoint>();
        foreach (var m in r.MountPoints ?? [])
        {
            list.Add(m.Type switch
            {
                "volume" => new MountPoint
                {
                    Type = "volume", Name = m.Name, Source = _volumes.MountpointOf(m.Name), Destination = m.Destination,
                    Driver = m.Driver, Mode = m.Mode, RW = m.RW, Propagation = "",
                },
                "bind" => new MountPoint { Type = "bind", Source = m.Source, Destination = m.Destination, Mode = m.Mode, RW = m.RW, Propagation = m.Propagation },
                _ => new MountPoint { Type = m.Type, Destination = m.Destination, Mode = m.Mode, RW = m.RW },
            });
        }
        foreach (var (dest, _) in r.HostConfig.Tmpfs ?? [])
            list.Add(new MountPoint { Type = "tmpfs", Destination = dest, RW = true });
        return list;
    }
}
