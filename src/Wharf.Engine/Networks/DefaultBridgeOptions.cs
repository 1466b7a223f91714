using Wharf.Network;

namespace Wharf.Engine.Networks;

/// <summary>The default bridge from wharfd's --bridge and --bip flags.</summary>
/// <param name="Bridge">Linux bridge name (default wharf0; docker0 is left to Docker).</param>
/// <param name="Gateway">The bridge's address with the subnet prefix (default 172.31.0.1/16, away from Docker's 172.17).</param>
public sealed record DefaultBridgeOptions(string Bridge, Ipv4Cidr Gateway, int Mtu = 1500)
{
    public static DefaultBridgeOptions Default { get; } = new("wharf0", Ipv4Cidr.Parse("172.31.0.1/16"));

    /// <summary>A copy with the --bip address; ArgumentException when it is not "address/prefix" of a host.</summary>
    public DefaultBridgeOptions WithBip(string bip)
    {
        if (!Ipv4Cidr.TryParse(bip, out var cidr) || cidr.PrefixLength is 0 or > 30 || cidr.Address == cidr.Network)
            throw new ArgumentException($"invalid --bip {bip}: expected the bridge address with its prefix, e.g. 172.31.0.1/16");
        return this with { Gateway = cidr };
    }
}
