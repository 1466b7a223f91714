using Wharf.Client;

namespace Wharf.Cli;

/// <summary>What every command needs: the daemon endpoint (client created on first use), output, environment.</summary>
internal sealed class CliContext : IDisposable
{
    private DockerClient? _client;

    public CliContext(DockerEndpoint endpoint, Func<string, string?> environment)
    {
        Endpoint = endpoint;
        Environment = environment;
    }

    public DockerEndpoint Endpoint { get; }

    public Func<string, string?> Environment { get; }

    public DockerClient Client => _client ??= new DockerClient(Endpoint, Environment("DOCKER_API_VERSION"), "wharf-cli/" + CliInfo.Version);

    public TextWriter Out => StdIo.Out;

    public TextWriter Err => StdIo.Err;

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public void Dispose() => _client?.Dispose();
}
