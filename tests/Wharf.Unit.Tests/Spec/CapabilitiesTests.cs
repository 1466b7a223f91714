using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

public sealed class CapabilitiesTests
{
    private const ulong Host = TestHosts.CapsWithoutSysResource;

    [Theory]
    [InlineData("SYS_ADMIN")]
    [InlineData("sys_admin")]
    [InlineData("CAP_SYS_ADMIN")]
    [InlineData("cap_Sys_Admin")]
    public void Names_are_normalised(string name)
    {
        var caps = Capabilities.Tweak([name], [], false, Host);
        Assert.Contains("CAP_SYS_ADMIN", caps);
        Assert.Equal(15, caps.Count);
    }

    [Fact]
    public void Unknown_names_use_dockers_wording()
    {
        var ex = Assert.Throws<WharfException>(() => Capabilities.Tweak(["foo"], [], false, Host));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("unknown capability: \"CAP_FOO\"", ex.Message);
        Assert.Throws<WharfException>(() => Capabilities.Tweak([], ["CAP_NOPE"], false, Host));
    }

    [Fact]
    public void Drop_removes_from_defaults()
    {
        var caps = Capabilities.Tweak([], ["net_raw", "CAP_MKNOD"], false, Host);
        Assert.DoesNotContain("CAP_NET_RAW", caps);
        Assert.DoesNotContain("CAP_MKNOD", caps);
        Assert.Equal(12, caps.Count);
    }

    [Fact]
    public void Drop_all_keeps_only_adds()
    {
        Assert.Equal(["CAP_CHOWN"], Capabilities.Tweak(["chown"], ["ALL"], false, Host));
        Assert.Empty(Capabilities.Tweak([], ["all"], false, Host));
    }

    [Fact]
    public void Add_all_gives_what_the_daemon_holds_minus_drops()
    {
        var caps = Capabilities.Tweak(["ALL"], ["NET_ADMIN"], false, Host);
        Assert.DoesNotContain("CAP_NET_ADMIN", caps);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps);
        Assert.Contains("CAP_SYS_ADMIN", caps);
        Assert.Equal(Capabilities.FromMask(Host).Count - 1, caps.Count);
    }

    [Fact]
    public void A_capability_the_daemon_lacks_is_refused_clearly()
    {
        var ex = Assert.Throws<WharfException>(() => Capabilities.Tweak(["SYS_RESOURCE"], [], false, Host));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("CAP_SYS_RESOURCE", ex.Message);
    }

    [Fact]
    public void Default_mask_is_dockers()
    {
        Assert.Equal(0xa80425fbUL, Capabilities.ToMask(Capabilities.Default));
        Assert.Equal(Capabilities.Default.Order(StringComparer.Ordinal), Capabilities.FromMask(0xa80425fb).Order(StringComparer.Ordinal));
    }
}
