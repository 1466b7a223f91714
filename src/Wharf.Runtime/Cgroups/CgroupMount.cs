namespace Wharf.Runtime.Cgroups;

/// <summary>One cgroup hierarchy mount from /proc/self/mountinfo.</summary>
/// <param name="MountPoint">Where it is mounted, e.g. /sys/fs/cgroup/memory.</param>
/// <param name="Root">The cgroup path the mount shows at its top ("/" unless mounted from inside a cgroup namespace
/// or a bind of a sub-tree).</param>
/// <param name="Controllers">v1 controllers of the hierarchy ("cpu", "cpuacct"...); empty for cgroup2.</param>
/// <param name="Unified">A cgroup2 mount.</param>
public sealed record CgroupMount(string MountPoint, string Root, IReadOnlyList<string> Controllers, bool Unified)
{
    /// <summary>The directory of <paramref name="cgroupPath"/> (as /proc/&lt;pid&gt;/cgroup names it) under this mount.</summary>
    public string DirectoryOf(string cgroupPath)
    {
        var rel = cgroupPath;
        if (Root != "/" && (rel == Root || rel.StartsWith(Root + "/", StringComparison.Ordinal))) rel = rel[Root.Length..];
        return rel is "" or "/" ? MountPoint : MountPoint.TrimEnd('/') + "/" + rel.TrimStart('/');
    }
}
