namespace Wharf.Snapshots.Archive;

/// <summary>One line of `docker diff`: an absolute path in the container and what happened to it.</summary>
public sealed record FileChange(string Path, ChangeKind Kind);
