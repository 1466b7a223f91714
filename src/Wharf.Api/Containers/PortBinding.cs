namespace Wharf.Api.Containers;

/// <summary>A host address/port a container port is published on. HostPort is a string on the wire.</summary>
public sealed class PortBinding
{
    public string HostIp { get; set; } = "";
    public string HostPort { get; set; } = "";
}
