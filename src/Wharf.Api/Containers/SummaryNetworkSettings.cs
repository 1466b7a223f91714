namespace Wharf.Api.Containers;

/// <summary>The NetworkSettings excerpt of a ContainerSummary.</summary>
public sealed class SummaryNetworkSettings
{
    public Dictionary<string, EndpointSettings>? Networks { get; set; }
}
