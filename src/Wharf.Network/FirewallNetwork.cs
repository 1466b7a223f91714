namespace Wharf.Network;

/// <summary>What the firewall needs to know about one bridge network (<paramref name="Subnet6"/>: its IPv6 subnet
/// when it has one).</summary>
public sealed record FirewallNetwork(string Bridge, Ipv4Cidr Subnet, bool Internal, bool Masquerade, Ipv6Cidr? Subnet6 = null);
