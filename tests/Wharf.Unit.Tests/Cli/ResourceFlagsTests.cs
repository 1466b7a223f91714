using Wharf.Cli.Commands;
using Wharf.Cli.Parsing;

namespace Wharf.Unit.Tests.Cli;

public sealed class ResourceFlagsTests
{
    private static Wharf.Api.Containers.HostConfig Run(params string[] args) =>
        CreateOptions.Parse([.. args, "busybox"], isRun: true, _ => null).Request.HostConfig!;

    [Fact]
    public void Resource_flags_fill_the_host_config_as_docker_does()
    {
        var hc = Run("-m", "32m", "--memory-swap=-1", "--memory-reservation", "16MiB", "--cpus", "1.5", "-c", "512",
            "--cpuset-cpus", "0", "--pids-limit", "100", "--ulimit", "nofile=1024:2048", "--ulimit", "core=-1",
            "--oom-score-adj", "500", "--shm-size", "1g");
        Assert.Equal(32L << 20, hc.Memory);
        Assert.Equal(-1, hc.MemorySwap);
        Assert.Equal(16L << 20, hc.MemoryReservation);
        Assert.Equal(1_500_000_000, hc.NanoCpus);
        Assert.Equal(512, hc.CpuShares);
        Assert.Equal("0", hc.CpusetCpus);
        Assert.Equal(100, hc.PidsLimit);
        Assert.Equal(500, hc.OomScoreAdj);
        Assert.Equal(1L << 30, hc.ShmSize);
        Assert.Equal(["nofile 1024 2048", "core -1 -1"], hc.Ulimits!.Select(u => $"{u.Name} {u.Soft} {u.Hard}"));
    }

    [Fact]
    public void Unset_flags_leave_dockers_zero_values_and_bad_values_are_usage_errors()
    {
        var hc = Run();
        Assert.Equal((0L, 0L, 0L, 0L), (hc.Memory, hc.MemorySwap, hc.NanoCpus, hc.ShmSize));
        Assert.Null(hc.PidsLimit);
        Assert.Null(hc.Ulimits);

        Assert.Equal(512, ResourceFlags.RamInBytes("512"));
        Assert.Equal(3L << 10, ResourceFlags.RamInBytes("3kb"));
        Assert.Throws<UsageException>(() => Run("-m", "lots"));
        Assert.Throws<UsageException>(() => Run("--ulimit", "nofile"));
    }
}
