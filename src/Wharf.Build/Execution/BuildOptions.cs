namespace Wharf.Build.Execution;

/// <summary>The POST /build query parameters the builder acts on.</summary>
public sealed record BuildOptions
{
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string DockerfilePath { get; init; } = "Dockerfile";
    public IReadOnlyDictionary<string, string?> BuildArgs { get; init; } = new Dictionary<string, string?>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? Target { get; init; }
    public bool NoCache { get; init; }
    public bool Quiet { get; init; }
    public bool Remove { get; init; } = true;
    public bool ForceRemove { get; init; }
    public string? NetworkMode { get; init; }
    public string? Platform { get; init; }
    public IReadOnlyList<string> CacheFrom { get; init; } = [];
    /// <summary>`wharf build --secret` contents by id, for RUN --mount=type=secret (never in a layer or a cache key).</summary>
    public IReadOnlyDictionary<string, byte[]> Secrets { get; init; } = new Dictionary<string, byte[]>();
    /// <summary>--pull: pull every FROM image even when it is present locally.</summary>
    public bool Pull { get; init; }
}
