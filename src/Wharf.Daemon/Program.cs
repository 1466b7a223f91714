using System.Runtime.InteropServices;
using Wharf.Daemon.Endpoints;
using Wharf.Engine.Build;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;
using Wharf.Engine.Distribution;
using Wharf.Engine.Events;
using Wharf.Engine.Images;
using Wharf.Engine.Volumes;
using Wharf.Engine.Networks;
using Wharf.Runtime;
using Wharf.Runtime.Spec;

namespace Wharf.Daemon;

/// <summary>
/// wharfd's composition root: the only code that sees every subsystem. Parses flags, takes the pid file,
/// builds the services, re-adopts containers, then serves the API socket until SIGTERM/SIGINT.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        DaemonOptions options;
        try { options = DaemonOptions.Parse(args); }
        catch (DaemonOptions.HelpRequested) { Console.WriteLine(DaemonOptions.Usage); return 0; }
        catch (ArgumentException e) { Console.Error.WriteLine("wharfd: " + e.Message); return 2; }

        var log = new Log(options.LogLevel);
        if (!Environment.IsPrivilegedProcess)
        {
            log.Error("wharfd needs to run as root (it mounts filesystems and drives runc)");
            return 1;
        }

        using var pidFile = PidFile.Acquire(options.PidFile, log);
        if (pidFile is null) return 1;

        Directory.CreateDirectory(options.DataRoot);
        var images = new ImageService(options.DataRoot);
        var runtime = new RuncRuntime(options.Runtime, Path.Combine(options.ExecRoot, "runc"));
        var volumes = new VolumeService(options.DataRoot, TimeProvider.System, log.Warn);
        var containers = new ContainerService(options.DataRoot, images, runtime, TimeProvider.System, options.ExecRoot, log.Warn, volumes);
        images.Usage = containers;
        var events = new EventLog(TimeProvider.System);
        containers.Event += events.Publish;
        volumes.Event += events.Publish;
        images.Event += events.Publish;

        var networks = new NetworkService(options.DataRoot, options.DefaultBridge, TimeProvider.System, log.Warn, bigTcp: options.BigTcp);
        containers.Networks = networks;
        networks.Event += e => events.Publish(NetworkEvents.ToMessage(e));

        using var shutdown = new CancellationTokenSource();
        await networks.InitializeAsync();
        await containers.InitializeAsync(shutdown.Token);

        var router = new Router();
        new SystemEndpoints(options, () =>
        {
            var (total, running, paused, stopped) = containers.Counts();
            return new SystemCounts(total, running, paused, stopped, images.List(all: false).Count);
        }, SpecHost.Current.CgroupV2 ? "2" : "1").Map(router);
        using var distribution = new DistributionService(images, options.Registry);
        var distributionEndpoints = new DistributionEndpoints(distribution, log.Warn);
        distributionEndpoints.Map(router);
        new ImageEndpoints(images, distributionEndpoints.PullAsync).Map(router);
        new ContainerEndpoints(containers, log).Map(router);
        new ArchiveEndpoints(containers).Map(router);
        new ExecEndpoints(containers, log).Map(router);
        new EventEndpoints(events).Map(router);
        new ResourceEndpoints(containers).Map(router);
        new VolumeEndpoints(volumes).Map(router);
        new NetworkEndpoints(networks, containers).Map(router);
        using var build = new BuildService(options.DataRoot, images, containers) { Distribution = distribution };
        new BuildEndpoints(build, log.Warn).Map(router);
        new DiskUsageEndpoints(new Wharf.Engine.DiskUsage.DiskUsageService(images, containers, volumes, build)).Map(router);

        using var listener = new UnixSocketListener(options.SocketPath, router, log);
        listener.Bind();

        // SIGTERM/SIGINT stop serving; containers keep running under their monitors (live restore).
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; shutdown.Cancel(); });

        log.Info($"wharfd {DaemonVersion.Version} serving unix://{options.SocketPath} (data root {options.DataRoot}, runtime {options.Runtime})");
        await listener.AcceptLoopAsync(shutdown.Token);
        log.Info("wharfd stopping; containers keep running");
        return 0;
    }
}
