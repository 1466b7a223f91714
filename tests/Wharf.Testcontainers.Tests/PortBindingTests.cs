using DotNet.Testcontainers.Builders;
using Wharf.EndToEnd.Tests;

namespace Wharf.Testcontainers.Tests;

/// <summary>Testcontainers' most common pattern: a random host port for a container port, read back with
/// GetMappedPublicPort and called from the test over loopback.</summary>
[Collection(TestcontainersCollection.Name)]
public sealed class PortBindingTests(DaemonFixture fixture)
{
    [Fact]
    public async Task Random_host_port_is_mapped_and_serves_http_on_loopback()
    {
        await using var container = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + fixture.Daemon.SocketPath)
            .WithName(fixture.UniqueName("tc-port"))
            .WithPortBinding(80, assignRandomHostPort: true)
            .WithCommand("sh", "-c", "mkdir -p /www && echo hello-tc > /www/index.html && exec httpd -f -p 80 -h /www")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(80))
            .Build();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await container.StartAsync(timeout.Token);
        var port = container.GetMappedPublicPort(80);

        Assert.NotEqual(0, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), timeout.Token);
        Assert.Equal("hello-tc\n", body);
    }
}
