using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

/// <summary>BIG TCP is switched on only where the kernel segments big packets before smaller devices (6.12+).</summary>
public sealed class BigTcpTests
{
    [Theory]
    [InlineData(6, 18, true)]
    [InlineData(6, 12, true)]
    [InlineData(7, 0, true)]
    [InlineData(6, 11, false)]
    [InlineData(6, 1, false)]
    [InlineData(5, 15, false)]
    public void Needs_linux_6_12(int major, int minor, bool supported) =>
        Assert.Equal(supported, BigTcp.Supported(new Version(major, minor)));
}
