using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Volumes;

/// <summary>Docker's -v / --mount / --volumes-from forms: what is accepted and how, what is refused and with which words.</summary>
public sealed class MountSpecParserTests
{
    [Theory]
    // raw, type, name, source, destination, rw, mode, propagation, copyData
    [InlineData("/data", "volume", "", "", "/data", true, "", "", true)]
    [InlineData("data:/data", "volume", "data", "", "/data", true, "", "", true)]
    [InlineData("data:/data:ro", "volume", "data", "", "/data", false, "ro", "", true)]
    [InlineData("data:/data:nocopy", "volume", "data", "", "/data", true, "nocopy", "", false)]
    [InlineData("data:/data:ro,z", "volume", "data", "", "/data", false, "ro,z", "", true)]
    [InlineData("./rel:/data", "volume", "./rel", "", "/data", true, "", "", true)]
    [InlineData("/host:/ctr", "bind", "", "/host", "/ctr", true, "", "rprivate", false)]
    [InlineData("/host/:/ctr/", "bind", "", "/host", "/ctr", true, "", "rprivate", false)]
    [InlineData("/host:/ctr:ro", "bind", "", "/host", "/ctr", false, "ro", "rprivate", false)]
    [InlineData("/host:/ctr:rw,rshared", "bind", "", "/host", "/ctr", true, "rw,rshared", "rshared", false)]
    [InlineData("/host:/ctr:Z,slave,cached", "bind", "", "/host", "/ctr", true, "Z,slave,cached", "slave", false)]
    [InlineData("/a/../b:/c/./d", "bind", "", "/b", "/c/d", true, "", "rprivate", false)]
    public void AcceptedBinds(string raw, string type, string name, string source, string destination, bool rw, string mode, string propagation, bool copyData)
    {
        var mp = MountSpecParser.ParseBind(raw);

        Assert.Equal(type, mp.Type);
        Assert.Equal(name, mp.Name);
        Assert.Equal(source, mp.Source);
        Assert.Equal(destination, mp.Destination);
        Assert.Equal(rw, mp.RW);
        Assert.Equal(mode, mp.Mode);
        Assert.Equal(propagation, mp.Propagation);
        Assert.Equal(copyData, mp.CopyData);
        Assert.Equal(name.Length > 0, mp.Named);
    }

    [Theory]
    [InlineData(":/data", "invalid volume specification: ':/data'")]
    [InlineData("/data:rw", "invalid volume specification: '/data:rw'")]
    [InlineData("/a:/b:ro:x", "invalid volume specification: '/a:/b:ro:x'")]
    [InlineData("/a:/b:rw,ro", "invalid mode: rw,ro")]
    [InlineData("/a:/b:bogus", "invalid mode: bogus")]
    [InlineData("/a:/b:shared,slave", "invalid mode: shared,slave")]
    [InlineData("/a:/", "invalid volume specification: '/a:/': invalid mount config for type \"bind\": invalid specification: destination can't be '/'")]
    [InlineData("/a:rel", "invalid volume specification: '/a:rel': invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute")]
    [InlineData("data", "invalid volume specification: 'data': invalid mount config for type \"volume\": invalid mount path: 'data' mount path must be absolute")]
    [InlineData("data:/x:shared", "invalid volume specification: 'data:/x:shared': invalid mount config for type \"volume\": field BindOptions must not be specified")]
    [InlineData("/a:/x:nocopy", "invalid volume specification: '/a:/x:nocopy': invalid mount config for type \"bind\": field VolumeOptions must not be specified")]
    public void RefusedBinds(string raw, string message)
    {
        var ex = Assert.Throws<WharfException>(() => MountSpecParser.ParseBind(raw));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void MountOfTypeBindNeedsAnExistingSource()
    {
        var missing = "/nonexistent-" + Guid.NewGuid().ToString("N");
        var ex = Assert.Throws<WharfException>(() => MountSpecParser.ParseMount(new ContainerMount { Type = "bind", Source = missing, Target = "/x" }));
        Assert.Equal($"invalid mount config for type \"bind\": bind source path does not exist: {missing}", ex.Message);

        var ok = MountSpecParser.ParseMount(new ContainerMount
        {
            Type = "bind", Source = "/tmp", Target = "/x", ReadOnly = true, BindOptions = new BindOptions { Propagation = "rslave" },
        });
        Assert.Equal(("/tmp", false, "rslave"), (ok.Source, ok.RW, ok.Propagation));
    }

    [Fact]
    public void MountOfTypeTmpfsConvertsSizeAndMode()
    {
        var mp = MountSpecParser.ParseMount(new ContainerMount
        {
            Type = "tmpfs", Target = "/scratch",
            TmpfsOptions = new TmpfsOptions { SizeBytes = 64L << 20, Mode = Convert.ToInt32("1770", 8), Options = [["noexec"]] },
        });
        Assert.Equal("tmpfs", mp.Type);
        Assert.Equal(["mode=1770", "size=64m", "noexec"], mp.TmpfsOptions);
    }

    [Theory]
    [InlineData("tmpfs", "/src", "/x", false, "invalid mount config for type \"tmpfs\": field Source must not be specified")]
    [InlineData("volume", "", "/x", true, "invalid mount config for type \"volume\": must not set ReadOnly mode when using anonymous volumes")]
    [InlineData("volume", "v", "", false, "invalid mount config for type \"volume\": field Target must not be empty")]
    [InlineData("bind", "", "/x", false, "invalid mount config for type \"bind\": field Source must not be empty")]
    [InlineData("bind", "rel", "/x", false, "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute")]
    [InlineData("floppy", "", "/x", false, "invalid mount config for type \"floppy\": mount type unknown")]
    public void RefusedMounts(string type, string source, string target, bool readOnly, string message)
    {
        var ex = Assert.Throws<WharfException>(() => MountSpecParser.ParseMount(new ContainerMount { Type = type, Source = source, Target = target, ReadOnly = readOnly }));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void VolumeMountKeepsNoCopyAndCreateOptions()
    {
        var mp = MountSpecParser.ParseMount(new ContainerMount
        {
            Type = "volume", Source = "cache", Target = "/cache",
            VolumeOptions = new VolumeOptions { NoCopy = true, Labels = new() { ["a"] = "b" }, DriverConfig = new DriverConfig { Options = new() { ["type"] = "tmpfs", ["device"] = "tmpfs" } } },
        });
        Assert.False(mp.CopyData);
        Assert.True(mp.Named);
        Assert.Equal("b", mp.VolumeLabels!["a"]);
        Assert.Equal("tmpfs", mp.VolumeDriverOptions!["type"]);
    }

    [Theory]
    [InlineData("web", "web", "rw")]
    [InlineData("web:ro", "web", "ro")]
    [InlineData("web:rw,z", "web", "rw,z")]
    public void VolumesFromForms(string spec, string container, string mode) =>
        Assert.Equal((container, mode), MountSpecParser.ParseVolumesFrom(spec));

    [Theory]
    [InlineData("web:shared", "invalid mode: shared")]
    [InlineData("web:nocopy", "invalid mode: nocopy")]
    [InlineData("web:bad", "invalid mode: bad")]
    [InlineData("", "volumes-from specification cannot be an empty string")]
    public void VolumesFromRefused(string spec, string message) =>
        Assert.Equal(message, Assert.Throws<WharfException>(() => MountSpecParser.ParseVolumesFrom(spec)).Message);
}
