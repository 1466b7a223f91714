using Wharf.Api;
using Wharf.Api.Daemon;
using Wharf.Daemon.Http;
using Wharf.Interop;

namespace Wharf.Daemon.Endpoints;

/// <summary>/_ping, /version, /info (engine-api.md §2).</summary>
internal sealed class SystemEndpoints(DaemonOptions options, Func<SystemCounts> counts, string cgroupVersion)
{
    private static readonly KeyValuePair<string, string>[] PingHeaders =
    [
        new("Builder-Version", "1"),
        new("Swarm", "inactive"),
        new("Cache-Control", "no-cache, no-store, must-revalidate"),
        new("Pragma", "no-cache"),
    ];

    private readonly string _kernel = Native.KernelRelease();
    private readonly string _id = MachineId();

    public void Map(Router r)
    {
        r.Get("/_ping", (c, ct) => c.WriteBytesAsync(200, "text/plain; charset=utf-8", "OK"u8.ToArray(), ct, PingHeaders));
        r.Head("/_ping", (c, ct) => c.WriteBytesAsync(200, "text/plain; charset=utf-8", "OK"u8.ToArray(), ct, PingHeaders, omitBody: true));
        r.Get("/version", (c, ct) => c.WriteJsonAsync(200, Version(), ApiJsonContext.Default.VersionResponse, ct));
        r.Get("/info", (c, ct) => c.WriteJsonAsync(200, Info(), ApiJsonContext.Default.SystemInfo, ct));
    }

    private VersionResponse Version()
    {
        var details = new Dictionary<string, string>
        {
            ["ApiVersion"] = ApiVersions.Max,
            ["MinAPIVersion"] = ApiVersions.Min,
            ["GitCommit"] = "wharf",
            ["GoVersion"] = "dotnet" + Environment.Version,
            ["Os"] = "linux",
            ["Arch"] = "amd64",
            ["KernelVersion"] = _kernel,
            ["Experimental"] = "false",
            ["BuildTime"] = BuildTime,
        };
        return new VersionResponse
        {
            Platform = new PlatformInfo { Name = "Wharf" },
            Components = [new ComponentVersion { Name = "Engine", Version = DaemonVersion.Version, Details = details }],
            Version = DaemonVersion.Version,
            ApiVersion = ApiVersions.Max,
            MinAPIVersion = ApiVersions.Min,
            GitCommit = "wharf",
            GoVersion = "dotnet" + Environment.Version,
            KernelVersion = _kernel,
            BuildTime = BuildTime,
        };
    }

    private static readonly string BuildTime = File.GetLastWriteTimeUtc(Environment.ProcessPath ?? AppContext.BaseDirectory)
        .ToString("yyyy-MM-ddTHH:mm:ss.000000000+00:00", System.Globalization.CultureInfo.InvariantCulture);

    private SystemInfo Info()
    {
        var n = counts();
        return new SystemInfo
        {
            ID = _id,
            Containers = n.Containers,
            ContainersRunning = n.Running,
            ContainersPaused = n.Paused,
            ContainersStopped = n.Stopped,
            Images = n.Images,
            DriverStatus = [["Backing Filesystem", "overlayfs"], ["Supports d_type", "true"]],
            DockerRootDir = options.DataRoot,
            SystemTime = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:ss.fffffff'00'zzz", System.Globalization.CultureInfo.InvariantCulture),
            CgroupVersion = cgroupVersion,
            KernelVersion = _kernel,
            OperatingSystem = OsName(),
            NCPU = Environment.ProcessorCount,
            MemTotal = MemTotal(),
            Name = Environment.MachineName,
            ServerVersion = DaemonVersion.Version,
            Runtimes = new() { [options.Runtime] = new RuntimeInfo { Path = options.Runtime } },
            DefaultRuntime = options.Runtime,
            SecurityOptions = ["name=seccomp,profile=builtin"],
            NFd = Directory.GetFiles("/proc/self/fd").Length,
            NGoroutines = ThreadPool.ThreadCount, // the closest thing to goroutines: live thread-pool threads
            Warnings = [],
            InitBinary = "docker-init",
        };
    }

    private static string OsName()
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/os-release"))
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) return line[12..].Trim('"');
        }
        catch (IOException) { }
        return "Linux";
    }

    private static long MemTotal()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    private static string MachineId()
    {
        try { return File.ReadAllText("/etc/machine-id").Trim(); } catch (IOException) { return "wharf"; }
    }
}

/// <summary>Object counts for /info.</summary>
internal readonly record struct SystemCounts(long Containers, long Running, long Paused, long Stopped, long Images);
