using System.Net;

namespace Wharf.Client;

/// <summary>The daemon answered with an error status; <see cref="Exception.Message"/> is its {"message"} text.</summary>
public sealed class DockerApiException : Exception
{
    public DockerApiException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public DockerApiException(HttpStatusCode statusCode, string message, Exception inner)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode StatusCode { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;
}
