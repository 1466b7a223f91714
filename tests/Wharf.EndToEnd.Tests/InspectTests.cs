using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>`docker inspect` shows the fields clients read, with the image config merged the Docker way.</summary>
[Collection(ContainersCollection.Name)]
public sealed class InspectTests(DaemonFixture wharf)
{
    private async Task<JsonElement> InspectJson(string name)
    {
        var result = (await wharf.Docker("inspect", name)).EnsureSuccess();
        using var doc = JsonDocument.Parse(result.Stdout);
        return Assert.Single(doc.RootElement.EnumerateArray()).Clone();
    }

    [Fact]
    public async Task Inspect_shows_name_with_slash_state_and_merged_config()
    {
        var name = wharf.UniqueName("insp");
        var label = "e2e.inspect";
        (await wharf.Docker(
            "run", "-d", "--name", name, "-e", "FOO=bar", "-w", "/tmp", "--hostname", "h1", "--label", label + "=v",
            "busybox", "sleep", "60")).EnsureSuccess();
        var imageEnv = JsonSerializer.Deserialize<string[]?>(
            (await wharf.Docker("image", "inspect", "-f", "{{json .Config.Env}}", "busybox")).EnsureSuccess().Stdout) ?? [];

        var c = await InspectJson(name);

        Assert.Equal("/" + name, c.GetProperty("Name").GetString());
        Assert.Equal(64, c.GetProperty("Id").GetString()!.Length);
        var state = c.GetProperty("State");
        Assert.Equal("running", state.GetProperty("Status").GetString());
        Assert.True(state.GetProperty("Running").GetBoolean());
        Assert.True(state.GetProperty("Pid").GetInt32() > 0);
        var config = c.GetProperty("Config");
        var env = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("FOO=bar", env);
        foreach (var fromImage in imageEnv)
        {
            Assert.Contains(fromImage, env);
        }

        Assert.Equal(["sleep", "60"], config.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/tmp", config.GetProperty("WorkingDir").GetString());
        Assert.Equal("h1", config.GetProperty("Hostname").GetString());
        Assert.Equal("busybox", config.GetProperty("Image").GetString());
        Assert.Equal("v", config.GetProperty("Labels").GetProperty(label).GetString());
        Assert.StartsWith("sha256:", c.GetProperty("Image").GetString(), StringComparison.Ordinal);
        (await wharf.Docker("rm", "-f", name)).EnsureSuccess();
    }

    [Fact]
    public async Task Inspect_of_an_exited_container_shows_its_exit_code()
    {
        var name = wharf.UniqueName("inspexit");
        var run = await wharf.Docker("run", "--name", name, "busybox", "sh", "-c", "exit 7");
        Assert.True(run.ExitCode == 7, run.ToString());

        var state = (await InspectJson(name)).GetProperty("State");

        Assert.Equal("exited", state.GetProperty("Status").GetString());
        Assert.Equal(7, state.GetProperty("ExitCode").GetInt32());
        Assert.False(state.GetProperty("Running").GetBoolean());
        (await wharf.Docker("rm", name)).EnsureSuccess();
    }

    [Fact]
    public async Task Image_path_is_in_the_environment_when_the_image_sets_none()
    {
        // Docker puts a default PATH into every Linux container so bare command names resolve.
        var result = await wharf.Docker("run", "--rm", "busybox", "sh", "-c", "echo $PATH");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("/bin", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_of_a_missing_object_says_no_such_object()
    {
        var name = wharf.UniqueName("nothing");

        var result = await wharf.Docker("inspect", name);

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("No such object: " + name, result.Stderr, StringComparison.Ordinal);
    }
}
