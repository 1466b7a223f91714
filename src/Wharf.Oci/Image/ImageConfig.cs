using System.Text.Json.Serialization;

namespace Wharf.Oci.Image;

/// <summary>
/// The image configuration blob (OCI image-spec config.md, also Docker's image JSON).
/// Field names follow the spec JSON. Optional fields are null when absent.
/// </summary>
public sealed record ImageConfigFile
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; init; } = "linux";
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("config")] public ImageRunConfig? Config { get; init; }
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; init; } = new();
    [JsonPropertyName("history")] public IReadOnlyList<HistoryEntry>? History { get; init; }
    /// <summary>Docker-only: the legacy container config (kept because docker-compose 1.29 reads it).</summary>
    [JsonPropertyName("container_config")] public ImageRunConfig? ContainerConfig { get; init; }
    [JsonPropertyName("docker_version")] public string? DockerVersion { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
}

/// <summary>The execution parameters an image gives its containers (config.md "config").</summary>
public sealed record ImageRunConfig
{
    [JsonPropertyName("User")] public string? User { get; init; }
    [JsonPropertyName("ExposedPorts")] public IReadOnlyDictionary<string, object>? ExposedPorts { get; init; }
    [JsonPropertyName("Env")] public IReadOnlyList<string>? Env { get; init; }
    [JsonPropertyName("Entrypoint")] public IReadOnlyList<string>? Entrypoint { get; init; }
    [JsonPropertyName("Cmd")] public IReadOnlyList<string>? Cmd { get; init; }
    [JsonPropertyName("Volumes")] public IReadOnlyDictionary<string, object>? Volumes { get; init; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
    [JsonPropertyName("Labels")] public IReadOnlyDictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; init; }
    [JsonPropertyName("ArgsEscaped")] public bool? ArgsEscaped { get; init; }
    [JsonPropertyName("Healthcheck")] public HealthcheckConfig? Healthcheck { get; init; }
    [JsonPropertyName("OnBuild")] public IReadOnlyList<string>? OnBuild { get; init; }
    [JsonPropertyName("Shell")] public IReadOnlyList<string>? Shell { get; init; }
}

/// <summary>Docker's HEALTHCHECK extension of the config (durations in nanoseconds).</summary>
public sealed record HealthcheckConfig
{
    [JsonPropertyName("Test")] public IReadOnlyList<string>? Test { get; init; }
    [JsonPropertyName("Interval")] public long Interval { get; init; }
    [JsonPropertyName("Timeout")] public long Timeout { get; init; }
    [JsonPropertyName("StartPeriod")] public long StartPeriod { get; init; }
    [JsonPropertyName("StartInterval")] public long StartInterval { get; init; }
    [JsonPropertyName("Retries")] public int Retries { get; init; }
}

/// <summary>The layer DiffIDs, bottom first (config.md "rootfs").</summary>
public sealed record RootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public IReadOnlyList<string> DiffIds { get; init; } = [];
}

/// <summary>One step of an image's history (config.md "history").</summary>
public sealed record HistoryEntry
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}
