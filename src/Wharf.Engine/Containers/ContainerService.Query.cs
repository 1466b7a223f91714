using System.Globalization;
using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Runtime.Spec;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Lists containers (<c>GET /containers/json</c>), newest first.</summary>
    /// <param name="limit">Only the N most recent (implies all); 0 or negative = no limit.</param>
    /// <param name="filters">Decoded filters (key → values); validated here.</param>
    public IReadOnlyList<ContainerSummary> List(bool all = false, int limit = -1, IReadOnlyDictionary<string, List<string>>? filters = null)
    {
        filters ??= new Dictionary<string, List<string>>();
        ContainerFilters.Validate(filters);
        // As in moby, asking for a status (or exit code) or a limit looks at stopped containers too.
        if (limit > 0 || filters.ContainsKey("status") || filters.ContainsKey("exited")) all = true;

        DateTimeOffset? before = null, since = null;
        if (filters.TryGetValue("before", out var b) && b.Count > 0) before = CreatedOf(b[0]);
        if (filters.TryGetValue("since", out var s) && s.Count > 0) since = CreatedOf(s[0]);
        HashSet<string>? ancestors = null;
        if (filters.TryGetValue("ancestor", out var anc) && anc.Count > 0)
        {
            ancestors = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in anc)
            {
                try { ancestors.Add(_images.Resolve(a).Id); }
                catch (WharfException ex) when (ex.Kind == ErrorKind.NotFound) { }
            }
        }

        var now = _time.GetUtcNow();
        var result = new List<(DateTimeOffset Created, ContainerSummary Summary)>();
        foreach (var e in Snapshot())
        {
            lock (e.Sync)
            {
                var r = e.Record;
                if (!all && !r.State.IsRunning) continue;
                if (!ContainerFilters.Match(r, filters)) continue;
                if (before is { } bt && r.Created >= bt) continue;
                if (since is { } st && r.Created <= st) continue;
                if (ancestors is not null && !ancestors.Contains(r.ImageId) && !anc!.Contains(r.Config.Image)) continue;
                result.Add((r.Created, ToSummary(r, now)));
            }
        }
        result.Sort((x, y) => y.Created.CompareTo(x.Created));
        var list = result.Select(x => x.Summary);
        if (limit > 0) list = list.Take(limit);
        return list.ToList();
    }

    private DateTimeOffset CreatedOf(string idOrName)
    {
        var e = Lookup(idOrName);
        lock (e.Sync) return e.Record.Created;
    }

    private ContainerSummary ToSummary(ContainerRecord r, DateTimeOffset now)
    {
        var ports = new List<Port>();
        var published = r.State.IsRunning ? r.PublishedPorts ?? [] : [];
        foreach (var m in published)
        {
            ports.Add(new Port { IP = m.HostIpText, PrivatePort = m.ContainerPort, PublicPort = m.HostPort, Type = m.Proto });
            if (m.AlsoIpv6) ports.Add(new Port { IP = "::", PrivatePort = m.ContainerPort, PublicPort = m.HostPort, Type = m.Proto });
        }
        foreach (var key in r.Config.ExposedPorts?.Keys ?? Enumerable.Empty<string>())
        {
            var (port, proto) = SplitPort(key);
            if (port > 0 && !published.Any(m => m.ContainerPort == port && m.Proto == proto)) ports.Add(new Port { PrivatePort = port, Type = proto });
        }
        ports.Sort((a, b) => a.PrivatePort != b.PrivatePort ? a.PrivatePort.CompareTo(b.PrivatePort) : string.CompareOrdinal(a.Type, b.Type));
        return new ContainerSummary
        {
            Id = r.Id,
            Names = [r.Name],
            Image = r.Config.Image,
            ImageID = r.ImageId,
            Command = r.Args.Count == 0 ? r.Path : r.Path + " " + string.Join(' ', r.Args),
            Created = r.Created.ToUnixTimeSeconds(),
            Ports = ports,
            Labels = r.Config.Labels,
            State = r.State.RemovalInProgress ? ContainerStatus.Removing : r.State.Status,
            Status = StatusText(r.State, now),
            HostConfig = new SummaryHostConfig { NetworkMode = r.HostConfig.NetworkMode, Annotations = r.HostConfig.Annotations },
            NetworkSettings = new SummaryNetworkSettings { Networks = CloneNetworks(r.Networks) },
            Mounts = MountPoints(r),
        };
    }

    private static (int Port, string Proto) SplitPort(string key)
    {
        var parts = key.Split('/');
        int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p);
        return (p, parts.Length > 1 ? parts[1] : "tcp");
    }

    /// <summary>Docker's State.String(): "Up 5 minutes", "Exited (0) 3 seconds ago", "Created", ….</summary>
    public static string StatusText(ContainerStateRecord s, DateTimeOffset now)
    {
        if (s.IsRunning)
        {
            var up = HumanDuration.Format(now - s.StartedAt);
            if (s.Status == ContainerStatus.Paused) return $"Up {up} (Paused)";
            if (s.Status == ContainerStatus.Restarting) return $"Restarting ({s.ExitCode}) {HumanDuration.Format(now - s.FinishedAt)} ago";
            if (s.Health is { } health) return $"Up {up} ({HealthRules.StatusSuffix(health.Status)})";
            return "Up " + up;
        }
        if (s.RemovalInProgress) return "Removal In Progress";
        if (s.Status == ContainerStatus.Dead) return "Dead";
        if (s.StartedAt == default) return "Created";
        if (s.FinishedAt == default) return "";
        return $"Exited ({s.ExitCode}) {HumanDuration.Format(now - s.FinishedAt)} ago";
    }

    /// <summary>Go's time.RFC3339Nano (trailing zeros of the fraction dropped); the zero time is "0001-01-01T00:00:00Z".</summary>
    public static string FormatTime(DateTimeOffset t) => t == default ? "0001-01-01T00:00:00Z" : Rfc3339.Format(t);

    private static Dictionary<string, EndpointSettings>? CloneNetworks(Dictionary<string, EndpointSettings> networks)
    {
        var copy = new Dictionary<string, EndpointSettings>(networks.Count);
        foreach (var (k, v) in networks)
            copy[k] = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(v, ContainerJsonContext.Default.EndpointSettings), ContainerJsonContext.Default.EndpointSettings)!;
        return copy;
    }

    /// <summary>Whether the container has a TTY: decides raw vs multiplexed framing of its streams.</summary>
    public bool IsTty(string idOrName)
    {
        var e = Lookup(idOrName);
        lock (e.Sync) return e.Record.Config.Tty;
    }

    /// <summary>Inspects a container (<c>GET /containers/{id}/json</c>).</summary>
    public ContainerInspectResponse Inspect(string idOrName)
    {
        var e = Lookup(idOrName);
        lock (e.Sync)
        {
            var r = e.Record;
            var s = r.State;
            var id = r.Id;
            var config = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(r.Config, ContainerJsonContext.Default.ContainerConfig), ContainerJsonContext.Default.ContainerConfig)!;
            var hostConfig = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(r.HostConfig, ContainerJsonContext.Default.HostConfig), ContainerJsonContext.Default.HostConfig)!;
            bool running = s.IsRunning;
            Dictionary<string, List<PortBinding>?> ports = [];
            if (running)
            {
                foreach (var key in r.Config.ExposedPorts?.Keys ?? Enumerable.Empty<string>()) ports[key] = null;
                foreach (var m in r.PublishedPorts ?? [])
                {
                    if (ports.GetValueOrDefault(m.Key) is not { } list) ports[m.Key] = list = [];
                    list.Add(new PortBinding { HostIp = m.HostIpText, HostPort = m.HostPort.ToString(CultureInfo.InvariantCulture) });
                    if (m.AlsoIpv6) list.Add(new PortBinding { HostIp = "::", HostPort = m.HostPort.ToString(CultureInfo.InvariantCulture) });
                }
            }
            return new ContainerInspectResponse
            {
                Id = id,
                Created = FormatTime(r.Created),
                Path = r.Path,
                Args = [.. r.Args],
                State = new ContainerState
                {
                    Status = s.RemovalInProgress ? ContainerStatus.Removing : s.Status,
                    Running = running,
                    Paused = s.Status == ContainerStatus.Paused,
                    Restarting = s.Status == ContainerStatus.Restarting,
                    OOMKilled = s.OomKilled,
                    Dead = s.Status == ContainerStatus.Dead,
                    Pid = running ? s.Pid : 0,
                    ExitCode = s.ExitCode,
                    Error = s.Error,
                    StartedAt = FormatTime(s.StartedAt),
                    FinishedAt = FormatTime(s.FinishedAt),
                    Health = s.Health is { } h ? new Health
                    {
                        Status = h.Status,
                        FailingStreak = h.FailingStreak,
                        Log = [.. h.Log.Select(p => new HealthcheckResult
                        {
                            Start = FormatTime(p.Start), End = FormatTime(p.End), ExitCode = p.ExitCode, Output = p.Output,
                        })],
                    } : null,
                },
                Image = r.ImageId,
                ResolvConfPath = ResolvConfPath(id),
                HostnamePath = HostnamePath(id),
                HostsPath = HostsPath(id),
                LogPath = r.HostConfig.LogConfig.Type == "none" ? "" : LogPath(id),
                Name = r.Name,
                RestartCount = r.RestartCount,
                Driver = "overlay2",
                Platform = "linux",
                HostConfig = hostConfig,
                GraphDriver = new GraphDriverData
                {
                    Name = "overlay2",
                    Data = new Dictionary<string, string> { ["MergedDir"] = RootfsDir(id) },
                },
                Mounts = MountPoints(r),
                ExecIDs = ExecIdsOf(id),
                Config = config,
                NetworkSettings = WithDefaultBridge(new NetworkSettings
                {
                    Ports = ports,
                    SandboxKey = running && r.HostConfig.NetworkMode != "host" && s.Pid > 0 ? $"/proc/{s.Pid}/ns/net" : "",
                    Networks = CloneNetworks(r.Networks),
                }),
            };
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<ImageUser> ContainersUsing(string imageId)
    {
        var list = new List<ImageUser>();
        foreach (var e in Snapshot())
            lock (e.Sync)
                if (e.Record.ImageId == imageId) list.Add(new ImageUser(e.Record.Id, e.Record.State.IsRunning));
        return list;
    }

    private SpecInput BuildSpecInput(ContainerRecord r, string rootfs)
    {
        var c = r.Config;
        var hc = r.HostConfig;
        var mounts = SpecMounts(r);

        var security = SecurityOptions.Parse(hc.SecurityOpt);
        return new SpecInput
        {
            Args = [r.Path, .. r.Args],
            Env = c.Env ?? [],
            Cwd = string.IsNullOrEmpty(c.WorkingDir) ? "/" : c.WorkingDir,
            User = UserResolver.Resolve(rootfs, c.User, hc.GroupAdd),
            Hostname = c.Hostname,
            Tty = c.Tty,
            OpenStdin = c.OpenStdin,
            ConsoleHeight = hc.ConsoleSize is [var h, _] ? (int)h : 0,
            ConsoleWidth = hc.ConsoleSize is [_, var w] ? (int)w : 0,
            Privileged = hc.Privileged,
            CapAdd = hc.CapAdd ?? [],
            CapDrop = hc.CapDrop ?? [],
            ReadonlyRootfs = hc.ReadonlyRootfs,
            RootfsPath = rootfs,
            NetworkMode = hc.NetworkMode switch { "host" => SpecNetworkMode.Host, "none" => SpecNetworkMode.None, _ => SpecNetworkMode.Private },
            Mounts = mounts,
            EtcFiles = new SpecEtcFiles
            {
                HostsPath = Path.Combine(Path.GetDirectoryName(rootfs)!, "hosts"),
                HostnamePath = Path.Combine(Path.GetDirectoryName(rootfs)!, "hostname"),
                ResolvConfPath = Path.Combine(Path.GetDirectoryName(rootfs)!, "resolv.conf"),
            },
            ShmSize = hc.ShmSize > 0 ? hc.ShmSize : 64L * 1024 * 1024,
            CgroupsPath = (string.IsNullOrEmpty(hc.CgroupParent) ? "/wharf" : hc.CgroupParent.TrimEnd('/')) + "/" + r.Id,
            Resources = HostResources.From(hc),
            Ulimits = HostResources.Ulimits(hc),
            OomScoreAdj = hc.OomScoreAdj != 0 ? hc.OomScoreAdj : null,
            NoNewPrivileges = security.NoNewPrivileges,
            SeccompUnconfined = security.SeccompUnconfined,
            SeccompProfileJson = security.SeccompProfileJson,
            Devices = DeviceInputs(hc),
            DeviceCgroupRules = hc.DeviceCgroupRules ?? [],
            InitPath = hc.Init == true ? InitPathOrThrow() : null,
            Sysctls = hc.Sysctls ?? [],
            Annotations = hc.Annotations ?? [],
        };
    }
}
