namespace Wharf.Client;

/// <summary>No daemon answered at the endpoint (socket missing, connection refused).</summary>
public sealed class DaemonUnreachableException : Exception
{
    public DaemonUnreachableException(DockerEndpoint endpoint, Exception inner)
        : base($"Cannot connect to the Wharf daemon at {endpoint}. Is wharfd running?", inner)
    {
        Endpoint = endpoint;
    }

    public DockerEndpoint Endpoint { get; }
}
