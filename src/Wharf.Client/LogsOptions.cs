namespace Wharf.Client;

/// <summary>Query of <c>GET /containers/{id}/logs</c>. <see cref="Since"/>/<see cref="Until"/> are already in the
/// daemon's unix <c>seconds[.nanos]</c> form.</summary>
public sealed record LogsOptions
{
    public bool Stdout { get; init; } = true;

    public bool Stderr { get; init; } = true;

    public bool Follow { get; init; }

    public bool Timestamps { get; init; }

    /// <summary>Number of lines from the end, or "all".</summary>
    public string Tail { get; init; } = "all";

    public string? Since { get; init; }

    public string? Until { get; init; }
}
