namespace Wharf.Network;

/// <summary>What the firewall needs to know about one bridge network.</summary>
public sealed record FirewallNetwork(string Bridge, Ipv4Cidr Subnet, bool Internal, bool Masquerade);
