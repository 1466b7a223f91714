using Wharf.Client;

namespace Wharf.Unit.Tests.Client;

public sealed class DockerEndpointTests
{
    [Theory]
    [InlineData("unix:///run/wharf/wharf.sock", "/run/wharf/wharf.sock")]
    [InlineData("unix:///var/run/docker.sock", "/var/run/docker.sock")]
    [InlineData("/tmp/x.sock", "/tmp/x.sock")]
    [InlineData("  unix:///a b/c.sock ", "/a b/c.sock")]
    public void Parses_unix_addresses(string address, string path)
    {
        var endpoint = DockerEndpoint.Parse(address);
        Assert.True(endpoint.IsUnix);
        Assert.Equal(path, endpoint.SocketPath);
        Assert.Equal("unix://" + path, endpoint.ToString());
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:2375", "127.0.0.1", 2375)]
    [InlineData("tcp://localhost", "localhost", 2375)]
    [InlineData("tcp://localhost:1234/", "localhost", 1234)]
    [InlineData("http://example:80", "example", 80)]
    [InlineData("localhost:4243", "localhost", 4243)]
    [InlineData("tcp://[::1]:2376", "::1", 2376)]
    [InlineData("tcp://:2375", "127.0.0.1", 2375)]
    public void Parses_tcp_addresses(string address, string host, int port)
    {
        var endpoint = DockerEndpoint.Parse(address);
        Assert.False(endpoint.IsUnix);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("unix://")]
    [InlineData("unix://relative.sock")]
    [InlineData("ssh://user@host")]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("tcp://host:notaport")]
    [InlineData("tcp://host:70000")]
    [InlineData("tcp://host:1/path")]
    [InlineData("")]
    public void Rejects_bad_addresses(string address) =>
        Assert.Throws<FormatException>(() => DockerEndpoint.Parse(address));

    [Fact]
    public void Resolve_prefers_flag_then_wharf_host_then_docker_host_then_default()
    {
        var env = new Dictionary<string, string>
        {
            ["WHARF_HOST"] = "unix:///w.sock",
            ["DOCKER_HOST"] = "unix:///d.sock",
        };
        string? Lookup(string k) => env.TryGetValue(k, out var v) ? v : null;

        Assert.Equal("/f.sock", DockerEndpoint.Resolve("unix:///f.sock", Lookup).SocketPath);
        Assert.Equal("/w.sock", DockerEndpoint.Resolve(null, Lookup).SocketPath);
        env.Remove("WHARF_HOST");
        Assert.Equal("/d.sock", DockerEndpoint.Resolve(null, Lookup).SocketPath);
        env["DOCKER_HOST"] = "";
        Assert.Equal(DockerEndpoint.DefaultSocketPath, DockerEndpoint.Resolve(null, Lookup).SocketPath);
        Assert.Equal("unix:///run/wharf/wharf.sock", DockerEndpoint.Default.ToString());
    }
}
