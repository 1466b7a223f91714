using Docker.DotNet;
using Wharf.EndToEnd.Tests;

namespace Wharf.DockerDotNet.Tests;

internal static class ClientFactory
{
    /// <summary>The unmodified Docker.DotNet client, pointed at the fixture's socket the way a user would.</summary>
    public static DockerClient Create(DaemonFixture fixture) =>
        new DockerClientConfiguration(new Uri("unix://" + fixture.Daemon.SocketPath)).CreateClient();
}
