namespace Wharf.Client;

/// <summary>Which streams <c>POST /containers/{id}/attach</c> connects.</summary>
public sealed record AttachOptions
{
    public bool Stdin { get; init; }

    public bool Stdout { get; init; } = true;

    public bool Stderr { get; init; } = true;

    /// <summary>Replay the log before streaming (docker attach --logs / start -a does not).</summary>
    public bool Logs { get; init; }

    public string? DetachKeys { get; init; }
}
