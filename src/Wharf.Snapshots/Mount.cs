namespace Wharf.Snapshots;

/// <summary>
/// A mount to perform, as plain data (containerd's mount.Mount): snapshotters describe mounts,
/// callers perform them. For an overlay: Type "overlay", Source "overlay",
/// Options ["lowerdir=…","upperdir=…","workdir=…"]. For a single layer: Type "bind", Options ["rbind","ro"].
/// </summary>
public sealed record Mount(string Type, string Source, IReadOnlyList<string> Options);
