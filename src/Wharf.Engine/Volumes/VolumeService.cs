using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.Api.Events;
using Wharf.Api.Volumes;
using Wharf.Core;
using Wharf.Interop;
using Wharf.Snapshots;

namespace Wharf.Engine.Volumes;

/// <summary>
/// The local volume driver and its store: each volume is <c>&lt;dataRoot&gt;/volumes/&lt;name&gt;/</c> holding
/// <c>_data</c> (what containers see) and <c>volume.json</c>. A volume created with driver options
/// (type/device/o) is mounted on its <c>_data</c> while at least one running container uses it, as Docker does.
/// </summary>
public sealed class VolumeService
{
    private const string MetaFileName = "volume.json";
    private const string RemovingPrefix = ".removing-";
    private static readonly HashSet<string> ValidOptions = ["type", "o", "device", "size"];

    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly object _sync = new();
    private readonly Dictionary<string, VolumeRecord> _volumes = new(StringComparer.Ordinal);
    /// <summary>Volume name → containers that have it mounted now (running).</summary>
    private readonly Dictionary<string, HashSet<string>> _active = new(StringComparer.Ordinal);

    public VolumeService(string dataRoot, TimeProvider time, Action<string>? log = null)
    {
        _root = Path.Combine(dataRoot, "volumes");
        _time = time;
        _log = log ?? (m => Console.Error.WriteLine("wharfd volumes: " + m));
    }

    /// <summary>Who references volumes; set by the composition root (the container service).</summary>
    public IVolumeUsage? Usage { get; set; }

    /// <summary>Volume events (create, mount, unmount, destroy) as moby publishes them.</summary>
    public event Action<EventMessage>? Event;

    private string VolumeDir(string name) => Path.Combine(_root, name);

    /// <summary>The host directory containers mount for <paramref name="name"/>.</summary>
    public string MountpointOf(string name) => Path.Combine(VolumeDir(name), "_data");

    /// <summary>Loads the store; finishes interrupted creates and removals.</summary>
    public void Initialize()
    {
        Directory.CreateDirectory(_root);
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(dir);
            VolumeRecord? record = null;
            if (!name.StartsWith(RemovingPrefix, StringComparison.Ordinal))
            {
                try { record = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, MetaFileName)), VolumeStoreJsonContext.Default.VolumeRecord); }
                catch (FileNotFoundException) { }
                catch (JsonException ex) { _log($"{dir}: unreadable {MetaFileName}: {ex.Message}"); continue; }
            }
            if (record is null || record.Name != name)
            {
                DeleteDir(dir);
                continue;
            }
            lock (_sync) _volumes[name] = record;
        }
    }

    // ---- create / inspect / list ---------------------------------------------------------------------

    /// <summary><c>POST /volumes/create</c>: an existing volume of the same driver is returned as is; an empty
    /// name makes an anonymous volume (64-hex name).</summary>
    public Volume Create(string? name, string? driver = null, IReadOnlyDictionary<string, string>? options = null,
        IReadOnlyDictionary<string, string>? labels = null) => ToApi(CreateRecord(name, driver, options, labels, anonymous: string.IsNullOrEmpty(name)).Record);

    /// <summary>Creates (or finds) a volume; tells whether it was created now.</summary>
    public (VolumeRecord Record, bool Created) CreateRecord(string? name, string? driver, IReadOnlyDictionary<string, string>? options,
        IReadOnlyDictionary<string, string>? labels, bool anonymous)
    {
        driver = string.IsNullOrEmpty(driver) ? "local" : driver;
        if (string.IsNullOrEmpty(name)) name = Ids.NewId();
        else VolumeNames.Validate(name);
        lock (_sync)
        {
            if (_volumes.TryGetValue(name, out var existing))
            {
                if (existing.Driver != driver) throw WharfException.Conflict($"create {name}: volume name must be unique");
                return (existing, false);
            }
        }
        if (driver != "local")
            throw WharfException.NotFound($"create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found");
        ValidateOptions(name, options);

        var record = new VolumeRecord
        {
            Name = name,
            Driver = driver,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds()),
            Labels = labels is null ? [] : new Dictionary<string, string>(labels),
            Options = options is { Count: > 0 } ? new Dictionary<string, string>(options) : null,
        };
        if (anonymous) record.Labels[VolumeRecord.AnonymousLabel] = "";
        lock (_sync)
        {
            // Checked again under the lock: two creates of one name race to here.
            if (_volumes.TryGetValue(name, out var raced)) return (raced, false);
            var dir = VolumeDir(name);
            Directory.CreateDirectory(Path.Combine(dir, "_data"));
            AtomicFile.WriteAllBytes(Path.Combine(dir, MetaFileName), JsonSerializer.SerializeToUtf8Bytes(record, VolumeStoreJsonContext.Default.VolumeRecord));
            _volumes[name] = record;
        }
        Raise("create", name, driver);
        return (record, true);
    }

    private static void ValidateOptions(string name, IReadOnlyDictionary<string, string>? options)
    {
        if (options is null || options.Count == 0) return;
        foreach (var key in options.Keys)
            if (!ValidOptions.Contains(key)) throw WharfException.Invalid($"create {name}: invalid option: \"{key}\"");
        if (options.TryGetValue("size", out var size) && size.Length > 0 && size != "0")
            throw WharfException.Invalid($"create {name}: quota size requested but no quota support");
        // moby's mandatoryOpts: device needs type, type needs device, o needs both.
        foreach (var (opt, required) in new[] { ("device", new[] { "type" }), ("type", ["device"]), ("o", ["device", "type"]) })
            if (options.ContainsKey(opt))
                foreach (var r in required)
                    if (!options.ContainsKey(r)) throw WharfException.Invalid($"create {name}: missing required option: \"{r}\"");
    }

    public bool Exists(string name)
    {
        lock (_sync) return _volumes.ContainsKey(name);
    }

    private VolumeRecord Get(string name)
    {
        lock (_sync)
            return _volumes.TryGetValue(name, out var r) ? r : throw WharfException.NotFound($"get {name}: no such volume");
    }

    /// <summary><c>GET /volumes/{name}</c>.</summary>
    public Volume Inspect(string name) => ToApi(Get(name));

    /// <summary><c>GET /volumes</c> with moby's filters: name (regexp), label (key or key=value), dangling, driver.</summary>
    public List<Volume> List(IReadOnlyDictionary<string, List<string>> filters)
    {
        foreach (var key in filters.Keys)
            if (key is not ("name" or "label" or "dangling" or "driver"))
                throw WharfException.Invalid($"invalid filter '{key}'");
        bool? dangling = null;
        if (filters.TryGetValue("dangling", out var d) && d.Count > 0)
            dangling = d[0] switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw WharfException.Invalid($"invalid filter 'dangling={d[0]}'"),
            };
        VolumeRecord[] all;
        lock (_sync) all = [.. _volumes.Values];
        return all
            .Where(v => !filters.TryGetValue("name", out var names) || names.Count == 0 || names.Any(n => MatchesPattern(n, v.Name)))
            .Where(v => !filters.TryGetValue("driver", out var drivers) || drivers.Count == 0 || drivers.Any(n => MatchesPattern(n, v.Driver)))
            .Where(v => !filters.TryGetValue("label", out var labels) || labels.All(l => HasLabel(v, l)))
            .Where(v => dangling is null || dangling == (Users(v.Name).Count == 0))
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .Select(ToApi)
            .ToList();
    }

    /// <summary>moby's filters.Match: the value is a regular expression, falling back to substring.</summary>
    private static bool MatchesPattern(string pattern, string value)
    {
        try { return Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)); }
        catch (ArgumentException) { return value.Contains(pattern, StringComparison.Ordinal); }
    }

    private static bool HasLabel(VolumeRecord v, string filter)
    {
        int eq = filter.IndexOf('=');
        if (eq < 0) return v.Labels.ContainsKey(filter);
        return v.Labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }

    private IReadOnlyList<(string Id, bool Running)> Users(string name) => Usage?.ContainersUsingVolume(name) ?? [];

    private Volume ToApi(VolumeRecord r) => new()
    {
        Name = r.Name,
        Driver = r.Driver,
        Mountpoint = MountpointOf(r.Name),
        CreatedAt = r.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Labels = new Dictionary<string, string>(r.Labels),
        Options = r.Options is null ? null : new Dictionary<string, string>(r.Options),
        Scope = "local",
    };

    // ---- remove / prune --------------------------------------------------------------------------------

    /// <summary><c>DELETE /volumes/{name}</c>: refused while a container references it. With
    /// <paramref name="force"/>, a missing volume is not an error and references from containers that are not
    /// running do not block (a running container's mount is never pulled from under it).</summary>
    public void Remove(string name, bool force = false)
    {
        VolumeRecord record;
        lock (_sync)
        {
            if (!_volumes.TryGetValue(name, out record!))
            {
                if (force) return;
                throw WharfException.NotFound($"get {name}: no such volume");
            }
        }
        var users = Users(name);
        var blocking = force ? users.Where(u => u.Running).ToList() : [.. users];
        if (blocking.Count > 0)
            throw WharfException.Conflict($"remove {name}: volume is in use - [{string.Join(", ", blocking.Select(u => u.Id))}]");
        Delete(record);
    }

    private void Delete(VolumeRecord record)
    {
        var dir = VolumeDir(record.Name);
        lock (_sync)
        {
            if (!_volumes.Remove(record.Name)) return;
            _active.Remove(record.Name);
        }
        try
        {
            if (record.NeedsMount) MountHelper.UnmountAll(MountpointOf(record.Name));
            // The rename makes the removal survive a crash half-way (finished at the next start).
            var marked = Path.Combine(_root, RemovingPrefix + record.Name);
            Directory.Move(dir, marked);
            DeleteDir(marked);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WharfException)
        {
            _log($"remove volume {record.Name}: {ex.Message}");
        }
        Raise("destroy", record.Name, record.Driver);
    }

    /// <summary><c>POST /volumes/prune</c>: unused volumes, anonymous ones only unless <c>all=true</c> (or
    /// <paramref name="allByDefault"/>, for API &lt; 1.42); label filters as moby (label, label!).</summary>
    public VolumePruneResponse Prune(IReadOnlyDictionary<string, List<string>> filters, bool allByDefault)
    {
        foreach (var key in filters.Keys)
            if (key is not ("label" or "label!" or "all"))
                throw WharfException.Invalid($"invalid filter '{key}'");
        bool all = allByDefault;
        if (filters.TryGetValue("all", out var a) && a.Count > 0)
        {
            all = a[0] switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw WharfException.Invalid($"invalid filter 'all={a[0]}'"),
            };
        }
        VolumeRecord[] candidates;
        lock (_sync) candidates = [.. _volumes.Values];
        var result = new VolumePruneResponse();
        foreach (var v in candidates.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            if (!all && !v.IsAnonymous) continue;
            if (filters.TryGetValue("label", out var with) && !with.All(l => HasLabel(v, l))) continue;
            if (filters.TryGetValue("label!", out var without) && without.Any(l => HasLabel(v, l))) continue;
            if (Users(v.Name).Count > 0) continue;
            long size = DirectorySize(MountpointOf(v.Name));
            Delete(v);
            result.VolumesDeleted.Add(v.Name);
            result.SpaceReclaimed += size;
        }
        return result;
    }

    private static long DirectorySize(string path)
    {
        long total = 0;
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
            foreach (var f in new DirectoryInfo(path).EnumerateFiles("*", options)) total += f.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        return total;
    }

    // ---- mount / unmount -------------------------------------------------------------------------------

    /// <summary>Makes the volume ready for a starting container and returns the host path to bind. A volume
    /// with driver options is mounted by the first user. Raises "mount" unless <paramref name="quiet"/>
    /// (re-adoption after a daemon restart).</summary>
    public string Mount(string name, string containerId, string destination, bool readWrite, string propagation, bool quiet = false)
    {
        var record = Get(name);
        var target = MountpointOf(name);
        lock (_sync)
        {
            if (!_active.TryGetValue(name, out var users)) _active[name] = users = new HashSet<string>(StringComparer.Ordinal);
            if (users.Count == 0 && record.NeedsMount && !MountHelper.IsMountPoint(target))
            {
                var o = record.Options!;
                var options = o.TryGetValue("o", out var raw) && raw.Length > 0 ? raw.Split(',') : [];
                try { MountHelper.MountAll([new Mount(o.GetValueOrDefault("type", "none"), o.GetValueOrDefault("device", ""), options)], target); }
                catch (WharfException ex) { throw WharfException.Internal($"error while mounting volume '{target}': failed to mount local volume: {ex.Message}"); }
            }
            users.Add(containerId);
        }
        if (!quiet)
            Raise("mount", name, record.Driver, new Dictionary<string, string>
            {
                ["container"] = containerId,
                ["destination"] = destination,
                ["read/write"] = readWrite ? "true" : "false",
                ["propagation"] = propagation,
            });
        return target;
    }

    /// <summary>The container stopped using the volume; the last user unmounts a driver-option volume.
    /// Does nothing for a container that did not have it mounted.</summary>
    public void Unmount(string name, string containerId)
    {
        VolumeRecord? record;
        lock (_sync)
        {
            if (!_active.TryGetValue(name, out var users) || !users.Remove(containerId)) return;
            _volumes.TryGetValue(name, out record);
            if (users.Count == 0 && record is { NeedsMount: true })
            {
                try { MountHelper.UnmountAll(MountpointOf(name)); }
                catch (WharfException ex) { _log($"unmount volume {name}: {ex.Message}"); }
            }
        }
        Raise("unmount", name, record?.Driver ?? "local", new Dictionary<string, string> { ["container"] = containerId });
    }

    private void Raise(string action, string name, string driver, Dictionary<string, string>? extra = null)
    {
        var handler = Event;
        if (handler is null) return;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["driver"] = driver };
        if (extra is not null)
            foreach (var (k, v) in extra) attributes[k] = v;
        try { handler(new EventMessage { Type = "volume", Action = action, Actor = new EventActor { ID = name, Attributes = attributes } }); }
        catch (Exception ex) { _log($"event handler failed: {ex.Message}"); }
    }

    private void DeleteDir(string dir)
    {
        try
        {
            MountHelper.UnmountAll(Path.Combine(dir, "_data"));
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WharfException)
        {
            _log($"delete {dir}: {ex.Message}");
        }
    }
}
