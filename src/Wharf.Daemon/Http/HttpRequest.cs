namespace Wharf.Daemon.Http;

/// <summary>One parsed request. <see cref="Path"/> has the /vX.Y prefix removed; <see cref="ApiVersion"/> is it
/// (or the daemon's max for unversioned paths, as moby does).</summary>
internal sealed class HttpRequest
{
    public required string Method { get; init; }
    public required string RawTarget { get; init; }
    public required string Path { get; set; }
    public required Version ApiVersion { get; set; }
    public required QueryString Query { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required Stream Body { get; init; }
    public Dictionary<string, string> RouteValues { get; set; } = [];

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The client asked for a protocol upgrade (the CLI, docker-py and Docker.DotNet.Enhanced do on attach/exec).</summary>
    public bool WantsUpgrade =>
        Header("Upgrade") is { Length: > 0 } &&
        (Header("Connection") ?? "").Contains("upgrade", StringComparison.OrdinalIgnoreCase);

    public bool HasBody { get; init; }

    /// <summary>The client said `Connection: close`: answer, then close the connection.</summary>
    public bool AsksToClose => (Header("Connection") ?? "").Contains("close", StringComparison.OrdinalIgnoreCase);
}
