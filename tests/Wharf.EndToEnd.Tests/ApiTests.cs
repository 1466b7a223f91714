using System.Net;
using System.Text;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>Raw Engine API requests the docker CLI never makes: bad bodies, unknown routes, version prefixes.</summary>
[Collection(ImagesCollection.Name)]
public sealed class ApiTests(DaemonFixture wharf)
{
    private static async Task<string> ErrorMessage(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        var message = doc.RootElement.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message), "empty error message: " + body);
        return message!;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<int> ContainerCount()
    {
        using var http = wharf.Http();
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/containers/json?all=1"));
        return doc.RootElement.GetArrayLength();
    }

    [Fact]
    public async Task Malformed_json_body_is_a_400_with_a_json_message_and_creates_nothing()
    {
        using var http = wharf.Http();
        var before = await ContainerCount();

        using var response = await http.PostAsync("/v1.50/containers/create", Json("{\"Image\": \"busybox\", "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ErrorMessage(response);
        Assert.Equal(before, await ContainerCount());
    }

    [Fact]
    public async Task Field_with_the_wrong_type_is_a_400_and_creates_nothing()
    {
        using var http = wharf.Http();
        var before = await ContainerCount();

        using var response = await http.PostAsync("/v1.50/containers/create", Json("{\"Image\": 42, \"Cmd\": {\"a\": 1}}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ErrorMessage(response);
        Assert.Equal(before, await ContainerCount());
    }

    [Fact]
    public async Task Unknown_fields_are_ignored_like_docker_does()
    {
        using var http = wharf.Http();
        var name = wharf.UniqueName("unknownfield");

        using var response = await http.PostAsync(
            "/v1.50/containers/create?name=" + name,
            Json("{\"image\": \"busybox\", \"Cmd\": [\"true\"], \"NoSuchField\": {\"x\": [1, 2]}}"));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        (await wharf.Docker("rm", name)).EnsureSuccess();
    }

    [Fact]
    public async Task Bad_container_name_is_a_400()
    {
        using var http = wharf.Http();

        using var response = await http.PostAsync(
            "/v1.50/containers/create?name=" + Uri.EscapeDataString("bad/name"), Json("{\"Image\": \"busybox\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Invalid container name", await ErrorMessage(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_with_an_unknown_image_is_a_404_no_such_image()
    {
        using var http = wharf.Http();
        var image = wharf.UniqueName("nothere");

        using var response = await http.PostAsync("/v1.50/containers/create", Json($"{{\"Image\": \"{image}\"}}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"No such image: {image}:latest", await ErrorMessage(response));
    }

    [Fact]
    public async Task Invalid_image_reference_is_a_400()
    {
        using var http = wharf.Http();

        using var response = await http.PostAsync("/v1.50/containers/create", Json("{\"Image\": \"UPPER/Case\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid reference format", await ErrorMessage(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_container_is_a_404_no_such_container()
    {
        using var http = wharf.Http();

        using var response = await http.GetAsync("/v1.50/containers/nosuchcontainer/json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No such container: nosuchcontainer", await ErrorMessage(response));
    }

    [Fact]
    public async Task Unknown_route_is_a_404_page_not_found()
    {
        using var http = wharf.Http();

        using var response = await http.GetAsync("/v1.50/no/such/route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("page not found", await ErrorMessage(response));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/v1.24")]
    [InlineData("/v1.41")]
    [InlineData("/v1.44")]
    [InlineData("/v1.50")]
    public async Task Supported_version_prefixes_serve_version_and_ping(string prefix)
    {
        using var http = wharf.Http();

        using var version = await http.GetAsync(prefix + "/version");
        var ping = await http.GetStringAsync(prefix + "/_ping");

        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        Assert.Equal("application/json", version.Content.Headers.ContentType?.ToString());
        using var doc = JsonDocument.Parse(await version.Content.ReadAsStringAsync());
        Assert.Equal("1.50", doc.RootElement.GetProperty("ApiVersion").GetString());
        Assert.Equal("1.24", doc.RootElement.GetProperty("MinAPIVersion").GetString());
        Assert.Equal("OK", ping);
    }

    [Fact]
    public async Task Version_above_the_maximum_is_a_400()
    {
        using var http = wharf.Http();

        using var response = await http.GetAsync("/v1.51/version");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(
            "client version 1.51 is too new. Maximum supported API version is 1.50",
            await ErrorMessage(response),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_below_the_minimum_is_a_400()
    {
        using var http = wharf.Http();

        using var response = await http.GetAsync("/v1.23/version");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(
            "client version 1.23 is too old. Minimum supported API version is 1.24",
            await ErrorMessage(response),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_ping_answers_with_headers_and_no_body()
    {
        using var http = wharf.Http();

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/_ping"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1.50", Assert.Single(response.Headers.GetValues("Api-Version")));
        Assert.Equal("linux", Assert.Single(response.Headers.GetValues("Ostype")));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Connection_close_with_bare_LF_header_lines_is_answered_and_the_connection_closed()
    {
        // Exactly what Docker.DotNet 3.125 writes: LF-only header lines and `Connection: close`; it reads the answer
        // until the socket closes, so a daemon that keeps the connection open hangs it.
        using var socket = new System.Net.Sockets.Socket(
            System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(wharf.Daemon.SocketPath));
        await socket.SendAsync("GET /_ping HTTP/1.1\r\nUser-Agent: Docker.DotNet\nHost: docker:80\nConnection: close\n\r\n"u8.ToArray());

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, deadline.Token)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        var text = Encoding.ASCII.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nOK", text, StringComparison.Ordinal);
    }
}
