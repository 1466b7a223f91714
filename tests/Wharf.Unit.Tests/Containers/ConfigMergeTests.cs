using Wharf.Api.Containers;
using Wharf.Engine.Containers;
using Wharf.Oci.Image;

namespace Wharf.Unit.Tests.Containers;

public sealed class ConfigMergeTests
{
    private static readonly ImageRunConfig Image = new()
    {
        User = "nobody",
        Env = ["PATH=/usr/bin:/bin", "A=image", "B=image"],
        Entrypoint = ["/entry.sh"],
        Cmd = ["serve", "--port", "80"],
        WorkingDir = "/app",
        Labels = new Dictionary<string, string> { ["img"] = "1", ["shared"] = "image" },
        ExposedPorts = new Dictionary<string, object> { ["80/tcp"] = new() },
        Volumes = new Dictionary<string, object> { ["/data"] = new() },
        StopSignal = "SIGQUIT",
    };

    [Fact]
    public void EmptyUserConfigTakesEverythingFromTheImage()
    {
        var c = new ContainerConfig { Image = "x" };
        ConfigMerge.Merge(c, Image);
        Assert.Equal("nobody", c.User);
        Assert.Equal(["PATH=/usr/bin:/bin", "A=image", "B=image"], c.Env);
        Assert.Equal(["/entry.sh"], c.Entrypoint);
        Assert.Equal(["serve", "--port", "80"], c.Cmd);
        Assert.Equal("/app", c.WorkingDir);
        Assert.Equal("image", c.Labels!["shared"]);
        Assert.True(c.ExposedPorts!.ContainsKey("80/tcp"));
        Assert.True(c.Volumes!.ContainsKey("/data"));
        Assert.Equal("SIGQUIT", c.StopSignal);
        var (path, args) = ConfigMerge.EntrypointAndArgs(c);
        Assert.Equal("/entry.sh", path);
        Assert.Equal(["serve", "--port", "80"], args);
    }

    [Fact]
    public void UserEnvOverridesByKeyAndComesFirst()
    {
        var c = new ContainerConfig { Env = ["A=user", "C=user"] };
        ConfigMerge.Merge(c, Image);
        Assert.Equal(["A=user", "C=user", "PATH=/usr/bin:/bin", "B=image"], c.Env);
    }

    [Fact]
    public void UserCmdKeepsImageEntrypoint()
    {
        var c = new ContainerConfig { Cmd = ["echo", "hi"] };
        ConfigMerge.Merge(c, Image);
        Assert.Equal(["/entry.sh"], c.Entrypoint);
        Assert.Equal(["echo", "hi"], c.Cmd);
    }

    [Fact]
    public void UserEntrypointDropsImageCmd()
    {
        var c = new ContainerConfig { Entrypoint = ["/bin/sh"] };
        ConfigMerge.Merge(c, Image);
        Assert.Equal(["/bin/sh"], c.Entrypoint);
        Assert.Null(c.Cmd);
    }

    [Fact]
    public void EmptyEntrypointStringClearsImageEntrypointButKeepsCmd()
    {
        var c = new ContainerConfig { Entrypoint = [""] };
        ConfigMerge.Merge(c, Image);
        Assert.Empty(c.Entrypoint!);
        Assert.Equal(["serve", "--port", "80"], c.Cmd);
        Assert.Equal("serve", ConfigMerge.EntrypointAndArgs(c).Path);
    }

    [Fact]
    public void UserLabelsAndPortsWin()
    {
        var c = new ContainerConfig
        {
            Labels = new() { ["shared"] = "user" },
            ExposedPorts = new() { ["90/udp"] = EmptyObject.Instance },
            WorkingDir = "/w",
            User = "1000",
        };
        ConfigMerge.Merge(c, Image);
        Assert.Equal("user", c.Labels!["shared"]);
        Assert.Equal("1", c.Labels["img"]);
        Assert.Equal(2, c.ExposedPorts!.Count);
        Assert.Equal("/w", c.WorkingDir);
        Assert.Equal("1000", c.User);
    }
}
