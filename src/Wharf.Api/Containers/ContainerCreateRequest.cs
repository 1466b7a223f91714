namespace Wharf.Api.Containers;

/// <summary>Body of <c>POST /containers/create</c>: a ContainerConfig plus HostConfig and NetworkingConfig.</summary>
public sealed class ContainerCreateRequest : ContainerConfig
{
    public HostConfig? HostConfig { get; set; }
    public NetworkingConfig? NetworkingConfig { get; set; }
}
