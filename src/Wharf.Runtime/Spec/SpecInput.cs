namespace Wharf.Runtime.Spec;

/// <summary>
/// Everything <see cref="SpecBuilder"/> needs for one container, already validated at the API level and
/// resolved (image config merged, user names turned into ids). Deliberately independent of the API DTOs.
/// </summary>
public sealed record SpecInput
{
    /// <summary>argv of the container's process (entrypoint + cmd, already merged). Must not be empty.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>Image env then container env, "KEY=value" (a bare "KEY" removes it). PATH/HOSTNAME/TERM are added.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    public string Cwd { get; init; } = "/";

    /// <summary>Resolved ids (see <see cref="UserResolver.Resolve"/>).</summary>
    public ResolvedUser User { get; init; } = ResolvedUser.Root;

    public string Hostname { get; init; } = "";
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public int ConsoleHeight { get; init; }
    public int ConsoleWidth { get; init; }

    public bool Privileged { get; init; }

    /// <summary>Capability names, with or without CAP_, any case, or ALL.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];

    public bool ReadonlyRootfs { get; init; }

    /// <summary>The mounted rootfs (root.path).</summary>
    public required string RootfsPath { get; init; }

    public SpecNetworkMode NetworkMode { get; init; } = SpecNetworkMode.Private;

    /// <summary>Namespaces to join instead of creating (type → path, e.g. "network" → "/run/wharf/netns/x").</summary>
    public IReadOnlyDictionary<string, string> NamespacePaths { get; init; } = new Dictionary<string, string>();

    /// <summary>User mounts (binds, volumes, tmpfs). A mount at a default destination replaces the default.</summary>
    public IReadOnlyList<SpecInputMount> Mounts { get; init; } = [];

    /// <summary>Daemon-written /etc/hosts, /etc/hostname, /etc/resolv.conf (each optional).</summary>
    public SpecEtcFiles? EtcFiles { get; init; }

    /// <summary>Size of /dev/shm in bytes (Docker's default 64 MiB).</summary>
    public long ShmSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>cgroupfs path such as "/wharf/&lt;id&gt;" (null = runc's default).</summary>
    public string? CgroupsPath { get; init; }

    public SpecInputResources Resources { get; init; } = new();

    public IReadOnlyList<SpecUlimit> Ulimits { get; init; } = [];

    /// <summary>Requested oom_score_adj (null = Docker's 0 when permitted).</summary>
    public int? OomScoreAdj { get; init; }

    public bool NoNewPrivileges { get; init; }

    /// <summary>--security-opt seccomp=unconfined.</summary>
    public bool SeccompUnconfined { get; init; }

    /// <summary>--security-opt seccomp=&lt;profile&gt;: a profile in Docker's JSON format (null = Docker's default).</summary>
    public string? SeccompProfileJson { get; init; }

    /// <summary>--device mappings.</summary>
    public IReadOnlyList<SpecInputDevice> Devices { get; init; } = [];

    /// <summary>--device-cgroup-rule entries ("c 1:3 mr").</summary>
    public IReadOnlyList<string> DeviceCgroupRules { get; init; } = [];

    /// <summary>Host path of the init binary (tini) for --init; bound at /sbin/docker-init and prepended.</summary>
    public string? InitPath { get; init; }

    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
