using Wharf.Api.Containers;

namespace Wharf.Api.Images;

/// <summary>GET /images/{name}/json (swagger ImageInspect). ContainerConfig is kept at every API version
/// because docker-compose 1.29 reads it (engine-api.md §9.4).</summary>
public sealed class ImageInspect
{
    public string Id { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> RepoDigests { get; set; } = [];
    public string Parent { get; set; } = "";
    public string Comment { get; set; } = "";
    public string Created { get; set; } = "";
    public string DockerVersion { get; set; } = "";
    public string Author { get; set; } = "";
    public ImageConfig? Config { get; set; }
    public ImageConfig ContainerConfig { get; set; } = new();
    public string Architecture { get; set; } = "amd64";
    public string? Variant { get; set; }
    public string Os { get; set; } = "linux";
    public string? OsVersion { get; set; }
    public long Size { get; set; }
    public GraphDriverData GraphDriver { get; set; } = new() { Name = "overlay2", Data = [] };
    public ImageRootFs RootFS { get; set; } = new();
    public ImageMetadata Metadata { get; set; } = new();
}

/// <summary>The image's run configuration as the API shows it.</summary>
public sealed class ImageConfig
{
    public string? Hostname { get; set; }
    public string? User { get; set; }
    public Dictionary<string, object>? ExposedPorts { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public HealthConfig? Healthcheck { get; set; }
    public bool? ArgsEscaped { get; set; }
    public Dictionary<string, object>? Volumes { get; set; }
    public string? WorkingDir { get; set; }
    public List<string>? Entrypoint { get; set; }
    public List<string>? OnBuild { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? StopSignal { get; set; }
    public List<string>? Shell { get; set; }
}

public sealed class ImageRootFs
{
    public string Type { get; set; } = "layers";
    public List<string> Layers { get; set; } = [];
}

public sealed class ImageMetadata
{
    public string? LastTagTime { get; set; }
}
