using Wharf.Api.Containers;

namespace Wharf.Engine.Containers;

/// <summary>
/// Everything the daemon knows about one container, persisted as <c>containers/&lt;id&gt;/config.v2.json</c>.
/// Mutated only under the container's lock; readers copy what they need under the same lock.
/// </summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    /// <summary>"/name".</summary>
    public string Name { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    /// <summary>"sha256:…" of the image config.</summary>
    public string ImageId { get; set; } = "";
    public string Path { get; set; } = "";
    public List<string> Args { get; set; } = [];
    /// <summary>Merged config; Config.Image is the reference as the client gave it.</summary>
    public ContainerConfig Config { get; set; } = new();
    public HostConfig HostConfig { get; set; } = new();
    /// <summary>Endpoints keyed by network name, present from create.</summary>
    public Dictionary<string, EndpointSettings> Networks { get; set; } = [];
    /// <summary>Binds, volumes and --mount tmpfs, resolved at create.</summary>
    public List<MountPointRecord>? MountPoints { get; set; }
    public ContainerStateRecord State { get; set; } = new();
    public int RestartCount { get; set; }
    /// <summary>The container was started at least once (Docker's "HasBeenStartedBefore").</summary>
    public bool HasBeenStarted { get; set; }
    /// <summary>The ports published for the current run (host port chosen at start), null when not running.</summary>
    public List<Wharf.Network.Ports.PortMapping>? PublishedPorts { get; set; }
}
