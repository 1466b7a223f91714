using System.Text.Json;
using Wharf.Core;
using Wharf.Runtime.Cgroups;

namespace Wharf.Runtime;

/// <summary>
/// What <c>runc delete</c> does for a stopped container, done in-process: remove the container's cgroup directories
/// (every v1 hierarchy on a hybrid host, the one unified directory on cgroup2) and runc's state directory
/// <c>&lt;root&gt;/&lt;id&gt;</c>. It saves starting runc, a Go program of about 5–10 ms CPU, after every container's
/// exit, which otherwise competes with the next container's start (2-core hosts feel it in `docker run --rm`).
/// It only acts on the plain case and declines everything else, so that runc, which knows more, does it:
/// a container that is created or still running (runc must kill it), one sharing a pid namespace (runc kills the
/// processes left in its cgroup), poststop hooks, Intel RDT, rootless state, cgroup paths outside the cgroup
/// mounts, an unreadable state file, or cgroups that stay busy.
/// Mirrors runc 1.1 libcontainer: runType (stopped = init gone, its start time changed, or zombie/dead), destroy
/// (cgroup manager Destroy = RemovePaths with retries, then RemoveAll of the state dir).
/// </summary>
public static class StoppedContainerDelete
{
    /// <summary>runc's state.json name inside <c>&lt;root&gt;/&lt;id&gt;</c>.</summary>
    public const string StateFileName = "state.json";

    /// <summary>The fields of runc's state.json that decide whether the in-process delete may act.</summary>
    /// <param name="CgroupPaths">cgroup_paths: v1 controller (or "name=systemd") → directory; "" → the unified one.</param>
    public sealed record RuncState(int InitPid, ulong InitStart, IReadOnlyDictionary<string, string> CgroupPaths,
        bool PrivatePidNamespace, bool HasPoststopHooks, bool HasIntelRdt, bool Rootless);

    /// <summary>Removes a stopped container's cgroups and runc state. True when it is gone (or was never there);
    /// false when runc should do it (see the type's summary); nothing is removed then unless every cgroup was.</summary>
    public static async Task<bool> TryDeleteAsync(string runcRoot, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await DeleteCoreAsync(runcRoot, id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Whatever is left, runc finds and removes (a missing cgroup or state file is no error to it).
            return false;
        }
    }

    private static async Task<bool> DeleteCoreAsync(string runcRoot, string id, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(runcRoot, id);
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(Path.Combine(dir, StateFileName), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // No state: runc would answer "does not exist", which the caller accepts. A directory without a state
            // file is runc's business (it may be mid-create).
            return !Directory.Exists(dir);
        }
        var state = ParseState(json);
        if (state is null || state.HasPoststopHooks || state.HasIntelRdt || state.Rootless || !state.PrivatePidNamespace) return false;
        // runc's "created" state (init waiting on the exec fifo) and anything still running need runc's kill.
        if (File.Exists(Path.Combine(dir, ExecFifo.FileName))) return false;
        if (!IsStopped(ProcStat.ReadText(state.InitPid), state.InitStart)) return false;

        var dirs = CgroupDirsToRemove(state, CgroupMounts.Parse(await File.ReadAllTextAsync("/proc/self/mountinfo", cancellationToken).ConfigureAwait(false)));
        if (dirs is null) return false;
        foreach (var cg in dirs)
            if (!await RemoveCgroupAsync(cg, cancellationToken).ConfigureAwait(false)) return false;
        Directory.Delete(dir, recursive: true);
        return true;
    }

    /// <summary>The deciding fields of state.json; null when it is not what runc 1.x writes.</summary>
    public static RuncState? ParseState(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("init_process_pid", out var pidEl) || !pidEl.TryGetInt32(out var pid) || pid <= 0 ||
                !root.TryGetProperty("init_process_start", out var startEl) || !startEl.TryGetUInt64(out var start) ||
                !root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object)
                return null;

            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("cgroup_paths", out var cgEl) && cgEl.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in cgEl.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String) return null;
                    paths[p.Name] = p.Value.GetString()!;
                }
            }
            else return null;

            // A NEWPID entry without a path is a pid namespace of its own: the kernel killed every process in it
            // when the init died. Shared (host or another container's) means runc must kill what is left.
            bool privatePid = false;
            if (config.TryGetProperty("namespaces", out var nsEl) && nsEl.ValueKind == JsonValueKind.Array)
                foreach (var ns in nsEl.EnumerateArray())
                    if (ns.ValueKind == JsonValueKind.Object && ns.TryGetProperty("type", out var t) && t.ValueEquals("NEWPID"))
                        privatePid = !ns.TryGetProperty("path", out var nsPath) || nsPath.ValueKind == JsonValueKind.Null ||
                                     (nsPath.ValueKind == JsonValueKind.String && nsPath.GetString()!.Length == 0);

            bool poststop = false;
            if (config.TryGetProperty("Hooks", out var hooks) && hooks.ValueKind == JsonValueKind.Object &&
                hooks.TryGetProperty("poststop", out var ps))
                poststop = ps.ValueKind == JsonValueKind.Array ? ps.GetArrayLength() > 0 : ps.ValueKind != JsonValueKind.Null;

            bool rdt = root.TryGetProperty("intel_rdt_path", out var rdtEl) && rdtEl.ValueKind == JsonValueKind.String && rdtEl.GetString()!.Length > 0;
            bool rootless = root.TryGetProperty("rootless", out var rl) && rl.ValueKind == JsonValueKind.True;
            return new RuncState(pid, start, paths, privatePid, poststop, rdt, rootless);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The cgroup directories to remove, each checked to lie strictly inside a cgroup (v1 or v2) mount of
    /// <paramref name="mounts"/>; null when any is elsewhere, relative or not normalised (never rmdir outside).</summary>
    public static IReadOnlyList<string>? CgroupDirsToRemove(RuncState state, IReadOnlyList<CgroupMount> mounts)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mounts);
        var list = new List<string>();
        foreach (var path in state.CgroupPaths.Values)
        {
            if (path.Length == 0 || path[0] != '/' || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal) ||
                path.Contains("/./", StringComparison.Ordinal) || path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal) || path.EndsWith("/.", StringComparison.Ordinal))
                return null;
            if (!mounts.Any(m => path.StartsWith(m.MountPoint.TrimEnd('/') + "/", StringComparison.Ordinal))) return null;
            if (!list.Contains(path, StringComparer.Ordinal)) list.Add(path);
        }
        return list;
    }

    /// <summary>runc's runType for the init: stopped when there is no such process (<paramref name="procStat"/>
    /// null), its start time differs (the pid was reused), or it is a zombie or dead. An unreadable line is not
    /// taken for stopped.</summary>
    public static bool IsStopped(string? procStat, ulong initStart) =>
        procStat is null || (ProcStat.Parse(procStat) is { } s && (s.Exited || s.StartTime != initStart));

    /// <summary>rmdir of a cgroup and any child cgroups (depth first), as runc's RemovePath; retried while the
    /// kernel still counts exiting tasks (EBUSY). False when it stays busy.</summary>
    private static async Task<bool> RemoveCgroupAsync(string path, CancellationToken cancellationToken)
    {
        int delayMs = 1;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                RemoveTree(path);
                return true;
            }
            catch (DirectoryNotFoundException)
            {
                return true;
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
                delayMs *= 4;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    private static void RemoveTree(string path)
    {
        // A cgroup's files cannot be unlinked; rmdir takes them with the directory, children must go first.
        foreach (var child in Directory.EnumerateDirectories(path))
        {
            try
            {
                RemoveTree(child);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
        Directory.Delete(path, recursive: false);
    }
}
