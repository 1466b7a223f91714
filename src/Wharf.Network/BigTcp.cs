namespace Wharf.Network;

/// <summary>
/// BIG TCP for IPv4 on container veths: both ends accept GSO packets of up to 192 KiB instead of 64 KiB, so a TCP
/// stream between two containers on one bridge moves in a third as many packets, each passing the bridge, the veth
/// pair and br_netfilter's hooks once. Container-to-container throughput measured about three times higher here
/// (bench/network.sh; docs/networking.md). Packets stay ordinary on the wire: the kernel segments a big packet in
/// software before any device whose own limit is lower (a physical NIC), which it does reliably only since Linux
/// 6.12 (gso_features_check honours the IPv4 limit there), so older kernels keep the 64 KiB default. Docker does
/// not do this; nothing else about the container's network changes.
/// </summary>
public static class BigTcp
{
    /// <summary>The size Cilium uses for BIG TCP too; veth allows up to 512 KiB.</summary>
    private const uint Size = 192 * 1024;

    /// <summary>The value for new veths: 0 (the kernel's default) where BIG TCP is not safe.</summary>
    public static uint Ipv4GsoMaxSize { get; } = Supported(Environment.OSVersion.Version) ? Size : 0;

    /// <summary>Whether a kernel version (uname's release, as .NET reports it) is 6.12 or newer.</summary>
    public static bool Supported(Version kernel) => kernel >= new Version(6, 12);
}
