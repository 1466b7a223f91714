namespace Wharf.Api.Daemon;

/// <summary>GET /info (swagger SystemInfo): the fields docker info, compose and Testcontainers read.
/// Types follow the swagger exactly because Docker.DotNet deserialises into typed models.</summary>
public sealed class SystemInfo
{
    public string ID { get; set; } = "";
    public long Containers { get; set; }
    public long ContainersRunning { get; set; }
    public long ContainersPaused { get; set; }
    public long ContainersStopped { get; set; }
    public long Images { get; set; }
    public string Driver { get; set; } = "overlay2";
    public List<List<string>> DriverStatus { get; set; } = [];
    public string DockerRootDir { get; set; } = "";
    public PluginsInfo Plugins { get; set; } = new();
    public bool MemoryLimit { get; set; } = true;
    public bool SwapLimit { get; set; }
    public bool KernelMemoryTCP { get; set; }
    public bool CpuCfsPeriod { get; set; } = true;
    public bool CpuCfsQuota { get; set; } = true;
    public bool CPUShares { get; set; } = true;
    public bool CPUSet { get; set; } = true;
    public bool PidsLimit { get; set; } = true;
    public bool OomKillDisable { get; set; }
    public bool IPv4Forwarding { get; set; }
    public bool Debug { get; set; }
    public long NFd { get; set; }
    public long NGoroutines { get; set; }
    public string SystemTime { get; set; } = "";
    public string LoggingDriver { get; set; } = "json-file";
    public string CgroupDriver { get; set; } = "cgroupfs";
    public string CgroupVersion { get; set; } = "1";
    public long NEventsListener { get; set; }
    public string KernelVersion { get; set; } = "";
    public string OperatingSystem { get; set; } = "";
    public string OSVersion { get; set; } = "";
    public string OSType { get; set; } = "linux";
    public string Architecture { get; set; } = "x86_64";
    public long NCPU { get; set; }
    public long MemTotal { get; set; }
    public string IndexServerAddress { get; set; } = "https://index.docker.io/v1/";
    public RegistryServiceConfig RegistryConfig { get; set; } = new();
    public List<object> GenericResources { get; set; } = [];
    public string HttpProxy { get; set; } = "";
    public string HttpsProxy { get; set; } = "";
    public string NoProxy { get; set; } = "";
    public string Name { get; set; } = "";
    public List<string> Labels { get; set; } = [];
    public bool ExperimentalBuild { get; set; }
    public string ServerVersion { get; set; } = "";
    public Dictionary<string, RuntimeInfo> Runtimes { get; set; } = [];
    public string DefaultRuntime { get; set; } = "runc";
    public SwarmInfo Swarm { get; set; } = new();
    public bool LiveRestoreEnabled { get; set; } = true;
    public string Isolation { get; set; } = "";
    public string InitBinary { get; set; } = "";
    public CommitInfo ContainerdCommit { get; set; } = new();
    public CommitInfo RuncCommit { get; set; } = new();
    public CommitInfo InitCommit { get; set; } = new();
    public List<string> SecurityOptions { get; set; } = [];
    public List<string>? CDISpecDirs { get; set; } = [];
    public List<string>? Warnings { get; set; }
}

public sealed class PluginsInfo
{
    public List<string> Volume { get; set; } = ["local"];
    public List<string> Network { get; set; } = ["bridge", "host", "null"];
    public List<string>? Authorization { get; set; }
    public List<string> Log { get; set; } = ["json-file"];
}

public sealed class RegistryServiceConfig
{
    public List<string> InsecureRegistryCIDRs { get; set; } = ["127.0.0.0/8", "::1/128"];
    public Dictionary<string, IndexInfo> IndexConfigs { get; set; } = [];
    public List<string> Mirrors { get; set; } = [];
}

public sealed class IndexInfo
{
    public string Name { get; set; } = "";
    public List<string> Mirrors { get; set; } = [];
    public bool Secure { get; set; }
    public bool Official { get; set; }
}

public sealed class RuntimeInfo
{
    public string Path { get; set; } = "";
}

public sealed class SwarmInfo
{
    public string NodeID { get; set; } = "";
    public string NodeAddr { get; set; } = "";
    public string LocalNodeState { get; set; } = "inactive";
    public bool ControlAvailable { get; set; }
    public string Error { get; set; } = "";
    public List<object>? RemoteManagers { get; set; }
}

public sealed class CommitInfo
{
    public string ID { get; set; } = "";
    public string Expected { get; set; } = "";
}
