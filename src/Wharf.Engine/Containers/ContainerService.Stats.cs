using System.Runtime.CompilerServices;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Runtime.Cgroups;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    private static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>GET /containers/{id}/stats</c> (moby daemon/stats.go): with <paramref name="stream"/> one sample a second,
    /// each carrying the previous one's CPU figures as precpu; without it the second sample (so the CLI's CPU % is
    /// not zero), or with <paramref name="oneShot"/> the first one alone. A container that is not running gives
    /// zero-valued samples with only its name and id.
    /// </summary>
    public async IAsyncEnumerable<ContainerStatsResponse> StatsAsync(string idOrName, bool stream, bool oneShot,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (stream && oneShot) throw WharfException.Invalid("cannot have stream=true and one-shot=true");
        var e = Lookup(idOrName);
        var previous = new StatsCpu();
        var previousRead = "0001-01-01T00:00:00Z";
        for (int n = 0; ; n++)
        {
            var sample = TakeStats(e);
            sample.PreCpuStats = previous;
            sample.PreRead = previousRead;
            previous = sample.CpuStats;
            previousRead = sample.Read;
            bool last = !stream && (oneShot || n == 1 || sample.Read == "0001-01-01T00:00:00Z");
            if (stream || last) yield return sample;
            if (last) yield break;
            await Task.Delay(StatsInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private ContainerStatsResponse TakeStats(ContainerEntry e)
    {
        string name, id;
        int pid;
        lock (e.Sync)
        {
            name = e.Record.Name;
            id = e.Record.Id;
            pid = e.Record.State.IsRunning ? e.Record.State.Pid : 0;
        }
        var empty = new ContainerStatsResponse { Name = name, Id = id };
        if (pid <= 0 || CgroupDirs.ForPid(pid) is not { } dirs) return empty;
        var sample = CgroupSampler.Read(dirs);
        var read = FormatTime(_time.GetUtcNow());
        string procStat;
        try { procStat = File.ReadAllText("/proc/stat"); }
        catch (IOException) { return empty; }
        IReadOnlyList<NetDevice>? net;
        try { net = ProcStats.NetDev(File.ReadAllText($"/proc/{pid}/net/dev")); }
        catch (IOException) { net = null; }
        var cpu = StatsMapper.Cpu(sample, ProcStats.SystemCpuUsage(procStat), ProcStats.OnlineCpus(procStat));
        return StatsMapper.Response(name, id, read, sample, cpu, net, HostMemory.Value);
    }

    private static readonly Lazy<ulong> HostMemory = new(() =>
    {
        try { return ProcStats.MemTotal(File.ReadAllText("/proc/meminfo")); }
        catch (IOException) { return 0; }
    });
}
