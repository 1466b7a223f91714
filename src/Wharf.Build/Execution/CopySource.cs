namespace Wharf.Build.Execution;

/// <summary>One COPY/ADD source after wildcard expansion: its host path (resolved inside its root) and the
/// relative path that names it at the destination (the base name, or the whole path with --parents).</summary>
internal sealed record CopySource(string HostPath, string Name, bool IsDirectory);
