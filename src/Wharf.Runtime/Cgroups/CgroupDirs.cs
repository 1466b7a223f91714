namespace Wharf.Runtime.Cgroups;

/// <summary>
/// The cgroup directories of one process: on a v1 (or hybrid) host one per controller, on a pure v2 host the single
/// unified directory. Found from the process's /proc/&lt;pid&gt;/cgroup and the mounts, so it follows wherever the
/// runtime put the container (cgroupsPath, a cgroup parent, a nested daemon).
/// </summary>
public sealed record CgroupDirs
{
    /// <summary>Pure v2: every controller's files are in <see cref="UnifiedDir"/>.</summary>
    public bool Unified { get; init; }
    public string? UnifiedDir { get; init; }
    /// <summary>v1 controller name → directory.</summary>
    public IReadOnlyDictionary<string, string> Controllers { get; init; } = new Dictionary<string, string>();

    /// <summary>The directory holding <paramref name="controller"/>'s files, or null when it is not mounted.</summary>
    public string? Dir(string controller) => Unified ? UnifiedDir : Controllers.GetValueOrDefault(controller);

    /// <summary>Resolves the directories for the membership text of /proc/&lt;pid&gt;/cgroup.</summary>
    public static CgroupDirs Resolve(IReadOnlyList<CgroupMount> mounts, string procCgroup)
    {
        var controllers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? unifiedPath = null;
        foreach (var line in procCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "hierarchy-id:controller,list:/path"; the v2 line is "0::/path".
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[0] == "0" && parts[1].Length == 0)
            {
                unifiedPath = parts[2];
                continue;
            }
            foreach (var c in parts[1].Split(','))
            {
                var mount = mounts.FirstOrDefault(m => !m.Unified && m.Controllers.Contains(c));
                if (mount is not null) controllers[c] = mount.DirectoryOf(parts[2]);
            }
        }
        // Hybrid hosts also mount cgroup2 (at /sys/fs/cgroup/unified) but keep every controller on v1.
        if (controllers.Count == 0 && unifiedPath is not null && mounts.FirstOrDefault(m => m.Unified) is { } v2)
            return new CgroupDirs { Unified = true, UnifiedDir = v2.DirectoryOf(unifiedPath) };
        return new CgroupDirs { Controllers = controllers };
    }

    /// <summary>The directories of a live process on this host; null when it is gone.</summary>
    public static CgroupDirs? ForPid(int pid)
    {
        try
        {
            var membership = File.ReadAllText($"/proc/{pid}/cgroup");
            return Resolve(CgroupMounts.Parse(File.ReadAllText("/proc/self/mountinfo")), membership);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
