namespace Wharf.Client;

/// <summary>The daemon reported an error inside a stream that had already started (SystemErr frame, errorDetail).</summary>
public sealed class DockerStreamException : Exception
{
    public DockerStreamException(string message)
        : base(message)
    {
    }
}
