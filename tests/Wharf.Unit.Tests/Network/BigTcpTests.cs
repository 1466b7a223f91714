using Wharf.Network;

namespace Wharf.Unit.Tests.Network;

/// <summary>BIG TCP is switched on only where the kernel segments big packets before smaller devices (6.12+).</summary>
public sealed class BigTcpTests
{
    [Theory]
    [InlineData("6.18.44-fc-v657", true)]
    [InlineData("6.12.0\n", true)]
    [InlineData("7.0.1", true)]
    [InlineData("6.11.9-amd64", false)]
    [InlineData("6.1.0-28-amd64", false)]
    [InlineData("5.15.0-91-generic", false)]
    [InlineData("6", false)]
    [InlineData("", false)]
    public void Needs_linux_6_12(string release, bool supported) => Assert.Equal(supported, BigTcp.Supported(release));
}
