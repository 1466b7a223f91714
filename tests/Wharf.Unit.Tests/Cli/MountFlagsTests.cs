using Wharf.Cli.Commands;
using Wharf.Cli.Parsing;

namespace Wharf.Unit.Tests.Cli;

/// <summary>wharf run's -v/--mount/--tmpfs/--volumes-from become the same create body the docker CLI sends.</summary>
public sealed class MountFlagsTests
{
    [Fact]
    public void VolumeFlagsSplitIntoBindsAndAnonymousVolumes()
    {
        var o = CreateOptions.Parse(["-v", "/scratch", "-v", "data:/data:ro", "-v", "/host:/ctr", "--tmpfs", "/run:size=1m", "--volumes-from", "web:ro", "busybox"], isRun: true, _ => null);
        var hc = o.Request.HostConfig!;

        Assert.Equal(["/scratch"], o.Request.Volumes!.Keys);
        Assert.Equal(["data:/data:ro", "/host:/ctr"], hc.Binds);
        Assert.Equal("size=1m", hc.Tmpfs!["/run"]);
        Assert.Equal(["web:ro"], hc.VolumesFrom);
    }

    [Fact]
    public void RelativeHostPathsAreMadeAbsoluteLikeDocker()
    {
        var o = CreateOptions.Parse(["-v", "./here:/x", "busybox"], isRun: true, _ => null);
        Assert.Equal([Path.GetFullPath("./here") + ":/x"], o.Request.HostConfig!.Binds);
    }

    [Fact]
    public void MountCsvFillsTheMountObject()
    {
        var m = MountFlags.ParseMount("type=tmpfs,dst=/scratch,tmpfs-size=1m,tmpfs-mode=1770");
        Assert.Equal(("tmpfs", "/scratch", 1L << 20, Convert.ToInt32("1770", 8)), (m.Type, m.Target, m.TmpfsOptions!.SizeBytes, m.TmpfsOptions.Mode));

        var v = MountFlags.ParseMount("source=cache,target=/c,readonly,volume-nocopy,volume-opt=type=tmpfs");
        Assert.Equal(("volume", "cache", true, true, "tmpfs"), (v.Type, v.Source, v.ReadOnly, v.VolumeOptions!.NoCopy, v.VolumeOptions.DriverConfig!.Options!["type"]));

        var b = MountFlags.ParseMount("type=bind,src=/h,target=/b,bind-propagation=rslave");
        Assert.Equal(("bind", "/h", "rslave"), (b.Type, b.Source, b.BindOptions!.Propagation));
    }

    [Fact]
    public void MountCsvRefusesUnknownKeys() =>
        Assert.Throws<UsageException>(() => MountFlags.ParseMount("type=bind,colour=red"));
}
