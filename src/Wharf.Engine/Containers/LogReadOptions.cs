namespace Wharf.Engine.Containers;

/// <param name="Tail">Last N lines (all streams counted, as Docker); negative = all.</param>
/// <param name="Since">Skip records before this instant (null = no bound).</param>
/// <param name="Until">Stop at records after this instant (null = no bound).</param>
public sealed record LogReadOptions(
    bool Stdout = true,
    bool Stderr = true,
    int Tail = -1,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    bool Timestamps = false);
