namespace Wharf.Engine.Networks;

/// <summary>A running container's endpoint on a network (what a network's <c>Containers</c> map shows);
/// <paramref name="Address6"/> on an IPv6 network.</summary>
public sealed record ActiveEndpoint(string ContainerId, string ContainerName, string EndpointId, string MacAddress,
    uint Address, string HostInterface, IReadOnlyList<string> DnsNames, UInt128? Address6 = null);
