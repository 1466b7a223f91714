namespace Wharf.Build.Execution;

/// <summary>A RUN --mount resolved to a host source: "bind" (read-only unless asked) or "tmpfs".</summary>
public sealed record RunMount(string Type, string? Source, string Target, bool ReadOnly);
