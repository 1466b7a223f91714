namespace Wharf.Api.Daemon;

/// <summary>GET /version (swagger SystemVersion).</summary>
public sealed class VersionResponse
{
    public PlatformInfo Platform { get; set; } = new();
    public List<ComponentVersion> Components { get; set; } = [];
    public string Version { get; set; } = "";
    public string ApiVersion { get; set; } = "";
    public string MinAPIVersion { get; set; } = "";
    public string GitCommit { get; set; } = "";
    public string GoVersion { get; set; } = "";
    public string Os { get; set; } = "linux";
    public string Arch { get; set; } = "amd64";
    public string KernelVersion { get; set; } = "";
    public bool Experimental { get; set; }
    public string BuildTime { get; set; } = "";
}

public sealed class PlatformInfo
{
    public string Name { get; set; } = "";
}

public sealed class ComponentVersion
{
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
    public Dictionary<string, string>? Details { get; set; }
}
