using System.Text.Json;
using Wharf.Api.Containers;

namespace Wharf.Unit.Tests.Containers;

public sealed class ContainerDtoTests
{
    // Abridged from what docker CLI 28.2 sends for `docker run -d -p … --network mynet … busybox sleep 1000`.
    private const string CliBody = """
        {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,
         "ExposedPorts":{"80/tcp":{},"90/udp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,
         "Env":["A=B"],"Cmd":["sleep","1000"],"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,
         "OnBuild":null,"Labels":{"k":"v"},
         "HostConfig":{"Binds":["/tmp:/host:ro","data:/data"],"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},
           "NetworkMode":"mynet","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}],"90/udp":[{"HostIp":"127.0.0.1","HostPort":"9090"}]},
           "RestartPolicy":{"Name":"unless-stopped","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,
           "ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],
           "ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"",
           "Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"",
           "ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,
           "BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],
           "BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,
           "CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,
           "MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":null,"PidsLimit":null,
           "Ulimits":[],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,
           "ReadonlyPaths":null,"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1024}}],
           "SomethingNew":{"x":1}},
         "NetworkingConfig":{"EndpointsConfig":{"mynet":{"IPAMConfig":null,"Links":null,"Aliases":["db"],"MacAddress":"",
           "DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,
           "IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}
        """;

    [Fact]
    public void CliCreateBodyBinds()
    {
        var req = JsonSerializer.Deserialize(CliBody, ContainerJsonContext.Default.ContainerCreateRequest)!;
        Assert.Equal("busybox", req.Image);
        Assert.Equal(["sleep", "1000"], req.Cmd);
        Assert.Equal("unless-stopped", req.HostConfig!.RestartPolicy.Name);
        Assert.Equal("8080", req.HostConfig.PortBindings!["80/tcp"]![0].HostPort);
        Assert.Equal(-1, req.HostConfig.MemorySwappiness);
        Assert.Equal(1024, req.HostConfig.Mounts![0].TmpfsOptions!.SizeBytes);
        Assert.Equal(["db"], req.NetworkingConfig!.EndpointsConfig!["mynet"].Aliases);
        Assert.True(req.HostConfig.Extra!.ContainsKey("SomethingNew"));
    }

    [Fact]
    public void InputKeysAreCaseInsensitive()
    {
        var req = JsonSerializer.Deserialize("""{"image":"busybox","cmd":["true"],"hostconfig":{"autoremove":true}}""",
            ContainerJsonContext.Default.ContainerCreateRequest)!;
        Assert.Equal("busybox", req.Image);
        Assert.True(req.HostConfig!.AutoRemove);
    }

    [Fact]
    public void OutputIsGoShaped()
    {
        var json = JsonSerializer.Serialize(new ContainerSummary { Id = "x", Names = ["/web"] }, ContainerJsonContext.Default.ContainerSummary);
        Assert.Contains("\"Names\":[\"/web\"]", json);
        Assert.Contains("\"Labels\":null", json);
        Assert.Contains("\"Ports\":[]", json);
        Assert.DoesNotContain("SizeRw", json);
        var wait = JsonSerializer.Serialize(new ContainerWaitResponse { StatusCode = 3 }, ContainerJsonContext.Default.ContainerWaitResponse);
        Assert.Equal("{\"StatusCode\":3}", wait);
        var cfg = JsonSerializer.Serialize(new ContainerConfig { ExposedPorts = new() { ["80/tcp"] = EmptyObject.Instance } }, ContainerJsonContext.Default.ContainerConfig);
        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{}}", cfg);
    }
}
