namespace Wharf.Engine.Networks;

/// <summary>One network as stored in <c>&lt;dataRoot&gt;/networks/&lt;id&gt;.json</c>.</summary>
public sealed class NetworkRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>bridge, host, null or macvlan.</summary>
    public string Driver { get; set; } = "bridge";
    public DateTimeOffset Created { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool EnableIPv6 { get; set; }
    /// <summary>IPv4 subnet in CIDR form; empty for host/null.</summary>
    public string Subnet { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IPRange { get; set; } = "";
    /// <summary>Whether the subnet was given by the user (Docker allows --ip only then).</summary>
    public bool UserSubnet { get; set; }
    /// <summary>IPv6 subnet in CIDR form when <see cref="EnableIPv6"/>; empty otherwise.</summary>
    public string Subnet6 { get; set; } = "";
    public string Gateway6 { get; set; } = "";
    public string IPRange6 { get; set; } = "";
    /// <summary>Whether the IPv6 subnet was given by the user (--ip6 is allowed only then).</summary>
    public bool UserSubnet6 { get; set; }
    /// <summary>The Linux bridge of a bridge network; the parent link of a macvlan one.</summary>
    public string Interface { get; set; } = "";
    public Dictionary<string, string> Options { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];

    public bool IsDefaultBridge => Name == "bridge";

    /// <summary>bridge, host and none are predefined and cannot be removed.</summary>
    public bool IsBuiltin => Name is "bridge" or "host" or "none";
}
