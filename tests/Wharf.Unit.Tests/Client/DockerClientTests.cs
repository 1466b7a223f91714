using System.Net;
using System.Net.Sockets;
using System.Text;
using Wharf.Api.Containers;
using Wharf.Client;

namespace Wharf.Unit.Tests.Client;

public sealed class DockerClientTests
{
    private static FakeResponse Route(FakeRequest r) => (r.Method, r.Target) switch
    {
        ("HEAD", "/_ping") => new FakeResponse(200, "", "text/plain; charset=utf-8"),
        ("GET", "/v1.50/version") => new FakeResponse(200, """{"Version":"0.1.0","ApiVersion":"1.50","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64","Components":[{"Name":"Engine","Version":"0.1.0"}]}"""),
        ("POST", "/v1.50/containers/create?name=web") => new FakeResponse(201, """{"Id":"abc123","Warnings":[]}"""),
        ("POST", "/v1.50/containers/create") => new FakeResponse(404, """{"message":"No such image: nope:latest"}"""),
        ("POST", "/v1.50/containers/abc123/wait?condition=next-exit") => new FakeResponse(200, """{"StatusCode":3}"""),
        ("POST", "/v1.50/images/create?fromSrc=-&repo=busybox&tag=latest&changes=CMD%20%5B%22sh%22%5D") =>
            new FakeResponse(200, "{\"status\":\"Importing\"}\n{\"status\":\"sha256:feed\"}\n"),
        ("POST", "/v1.50/images/create?fromSrc=-&repo=bad&tag=latest") =>
            new FakeResponse(200, "{\"errorDetail\":{\"message\":\"archive/tar: invalid tar header\"},\"error\":\"archive/tar: invalid tar header\"}\n"),
        _ => new FakeResponse(404, """{"message":"page not found"}"""),
    };

    [Fact]
    public async Task Pings_once_then_uses_the_versioned_path()
    {
        await using var daemon = new FakeDaemon(Route);
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        var version = await client.VersionAsync();
        Assert.Equal("0.1.0", version.Version);
        await client.VersionAsync();
        Assert.Equal(["HEAD /_ping", "GET /v1.50/version", "GET /v1.50/version"], daemon.Requests.Select(r => r.Method + " " + r.Target));
        Assert.Equal(DockerClient.HostHeader, daemon.Requests[0].Header("Host"));
        Assert.Equal("1.50", client.ApiVersion);
    }

    [Fact]
    public async Task Downgrades_to_an_older_daemon_version()
    {
        await using var daemon = new FakeDaemon(r => r.Target == "/_ping"
            ? new FakeResponse(200, "", "text/plain", "1.44")
            : new FakeResponse(200, """{"Version":"x"}"""));
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        await client.VersionAsync();
        Assert.Equal("/v1.44/version", daemon.Requests[^1].Target);
    }

    [Fact]
    public async Task Create_sends_json_and_maps_errors()
    {
        await using var daemon = new FakeDaemon(Route);
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        var created = await client.CreateContainerAsync(new ContainerCreateRequest { Image = "busybox", Cmd = ["echo", "hi"] }, "web");
        Assert.Equal("abc123", created.Id);
        var sent = daemon.Requests[^1];
        Assert.Equal("application/json", sent.Header("Content-Type"));
        Assert.Contains("\"Image\":\"busybox\"", sent.Body, StringComparison.Ordinal);
        Assert.Contains("\"Cmd\":[\"echo\",\"hi\"]", sent.Body, StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<DockerApiException>(() => client.CreateContainerAsync(new ContainerCreateRequest { Image = "nope" }));
        Assert.True(ex.IsNotFound);
        Assert.Equal("No such image: nope:latest", ex.Message);
    }

    [Fact]
    public async Task Wait_returns_the_status_code()
    {
        await using var daemon = new FakeDaemon(Route);
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        var pending = await client.BeginWaitContainerAsync("abc123", "next-exit");
        Assert.Equal(3, (await pending).StatusCode);
    }

    [Fact]
    public async Task Import_returns_the_final_status_and_surfaces_in_band_errors()
    {
        await using var daemon = new FakeDaemon(Route);
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        var id = await client.ImportImageAsync(new MemoryStream(new byte[1024]), "busybox", "latest", ["CMD [\"sh\"]"]);
        Assert.Equal("sha256:feed", id);
        Assert.Equal(new string('\0', 1024), daemon.Requests[^1].Body);

        var ex = await Assert.ThrowsAsync<DockerStreamException>(() => client.ImportImageAsync(new MemoryStream([1, 2]), "bad", "latest"));
        Assert.Equal("archive/tar: invalid tar header", ex.Message);
    }

    [Fact]
    public async Task Unreachable_daemon_is_reported_with_the_endpoint()
    {
        using var client = new DockerClient(DockerEndpoint.Unix("/nonexistent/wharf.sock"));
        var ex = await Assert.ThrowsAsync<DaemonUnreachableException>(() => client.VersionAsync());
        Assert.Contains("unix:///nonexistent/wharf.sock", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attach_upgrades_and_keeps_reading_after_stdin_half_close()
    {
        var stdinSeen = new TaskCompletionSource<string>();
        await using var daemon = new FakeDaemon(Route, async (request, socket) =>
        {
            await socket.SendAsync("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"u8.ToArray()
                .Concat(StdCopyReaderTests.Frame(1, "before\n")).ToArray());

            // Read stdin until the client's half-close, then keep writing: the output must still arrive.
            var input = new MemoryStream();
            var buffer = new byte[1024];
            int n;
            while ((n = await socket.ReceiveAsync(buffer)) > 0)
            {
                input.Write(buffer, 0, n);
            }

            var text = Encoding.UTF8.GetString(input.ToArray());
            stdinSeen.SetResult(text);
            await socket.SendAsync(StdCopyReaderTests.Frame(1, "echo:" + text).Concat(StdCopyReaderTests.Frame(2, "after\n")).ToArray());
            socket.Shutdown(SocketShutdown.Send);
        });
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        await using var connection = await client.AttachContainerAsync("abc123", new AttachOptions { Stdin = true });
        Assert.Equal("application/vnd.docker.multiplexed-stream", connection.ContentType);

        await connection.PumpStdinAsync(new MemoryStream("data in"u8.ToArray()));
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await new StdCopyReader(connection.Output).CopyToAsync(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("data in", await stdinSeen.Task);
        Assert.Equal("before\necho:data in", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("after\n", Encoding.UTF8.GetString(stderr.ToArray()));

        var attach = daemon.Requests.Single(r => r.Target.Contains("/attach", StringComparison.Ordinal));
        Assert.Equal("POST", attach.Method);
        Assert.Equal("/v1.50/containers/abc123/attach?stderr=1&stdin=1&stdout=1&stream=1", attach.Target);
        Assert.Equal("Upgrade", attach.Header("Connection"));
        Assert.Equal("tcp", attach.Header("Upgrade"));
    }

    [Fact]
    public async Task Attach_error_before_upgrade_is_a_DockerApiException()
    {
        await using var daemon = new FakeDaemon(Route, async (_, socket) =>
        {
            var body = """{"message":"No such container: gone"}""";
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        });
        using var client = new DockerClient(DockerEndpoint.Unix(daemon.SocketPath));
        var ex = await Assert.ThrowsAsync<DockerApiException>(() => client.AttachContainerAsync("gone", new AttachOptions()));
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("No such container: gone", ex.Message);
    }

    [Fact]
    public void Filters_are_encoded_like_the_go_cli()
    {
        Assert.Equal("""{"status":{"exited":true},"label":{"a=b":true,"c":true}}""",
            DockerClient.EncodeFilters([new("status", "exited"), new("label", "a=b"), new("label", "c")]));
    }
}
