namespace Wharf.Api.Containers;

/// <summary><c>storage_stats</c>: Windows only, an empty object on Linux.</summary>
public sealed class StatsStorage;
