using System.Globalization;
using System.Text;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// A real wharfd for one test collection: its own temp dir (/tmp/wharf-e2e-&lt;random&gt;) holding the data root, socket,
/// pid file and log, with busybox:latest imported. Disposal removes every container, stops wharfd, unmounts what
/// is left under the temp dir and deletes it.
/// </summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    private static int s_names;

    public DaemonFixture()
    {
        Suffix = Guid.NewGuid().ToString("N")[..8];
        TempDir = Path.Combine("/tmp", "wharf-e2e-" + Suffix);
        Daemon = new WharfDaemon(TempDir);
    }

    public string Suffix { get; }

    public string TempDir { get; }

    public WharfDaemon Daemon { get; }

    public async Task InitializeAsync()
    {
        Prerequisites.Check();
        Directory.CreateDirectory(TempDir);
        await Daemon.StartAsync();
        var import = await Wharf("base-image", "busybox");
        if (import.ExitCode != 0)
        {
            throw new InvalidOperationException($"could not create busybox:latest: {import}\n{Daemon.LogTail()}");
        }
    }

    /// <summary>A name no other test (or collection) uses, so tests never trip over each other's containers.</summary>
    public string UniqueName(string prefix) =>
        $"{prefix}-{Interlocked.Increment(ref s_names).ToString(CultureInfo.InvariantCulture)}-{Suffix}";

    public IReadOnlyDictionary<string, string?> ClientEnvironment => new Dictionary<string, string?>
    {
        ["DOCKER_HOST"] = Daemon.Host,
        ["WHARF_HOST"] = Daemon.Host,
        // A private config dir keeps the host's contexts, credential helpers and aliases out of the tests.
        ["DOCKER_CONFIG"] = Path.Combine(TempDir, "docker-config"),
        ["DOCKER_CONTEXT"] = null,
        ["DOCKER_API_VERSION"] = null,
        ["DOCKER_TLS_VERIFY"] = null,
        ["DOCKER_CERT_PATH"] = null,
        ["DOCKER_CLI_HINTS"] = "false",
    };

    /// <summary>Runs the real docker CLI against this fixture's daemon.</summary>
    public Task<CommandResult> Docker(params string[] args) => DockerWith(args);

    public Task<CommandResult> DockerWith(string[] args, string? stdin = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(TestPaths.DockerCli, args, ClientEnvironment, stdin, timeout);

    /// <summary>Runs Wharf's own CLI against this fixture's daemon.</summary>
    public Task<CommandResult> Wharf(params string[] args) =>
        ProcessRunner.RunAsync(TestPaths.WharfCli, args, ClientEnvironment, timeout: TimeSpan.FromSeconds(120));

    /// <summary>Runs a docker command line inside a pseudo-terminal (util-linux script), for -t.</summary>
    public Task<CommandResult> DockerInTerminal(string arguments) =>
        ProcessRunner.RunAsync(
            "script",
            ["-qec", $"{TestPaths.DockerCli} {arguments}", "/dev/null"],
            ClientEnvironment,
            keepStdinOpen: true);

    public HttpClient Http() => UnixSocketHttp.Create(Daemon.SocketPath);

    public async Task DisposeAsync()
    {
        var problems = new List<string>();
        await Step(problems, "remove containers", RemoveAllContainers);
        await Step(problems, "remove networks", RemoveUserNetworks);
        await Step(problems, "stop wharfd", async () =>
        {
            if (Daemon.IsRunning)
            {
                await Daemon.StopAsync();
            }
        });
        await Step(problems, "remove bridge and firewall table", () => HostNetwork.RemoveDaemonState(Daemon));
        await Step(problems, "delete leftover runc containers", DeleteLeftoverRuncContainers);
        await Step(problems, "unmount", UnmountEverythingUnder);
        await Step(problems, "delete temp dir", () =>
        {
            if (Directory.Exists(TempDir))
            {
                Directory.Delete(TempDir, recursive: true);
            }

            return Task.CompletedTask;
        });
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"cleanup of {TempDir} incomplete:\n" + string.Join('\n', problems));
        }
    }

    private static async Task Step(List<string> problems, string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e)
        {
            problems.Add($"{name}: {e.Message}");
        }
    }

    private async Task RemoveAllContainers()
    {
        if (!Daemon.IsRunning)
        {
            return;
        }

        var ids = (await Docker("ps", "-aq")).EnsureSuccess().StdoutLines;
        if (ids.Length > 0)
        {
            (await Docker(["rm", "-f", .. ids])).EnsureSuccess();
        }
    }

    private async Task RemoveUserNetworks()
    {
        if (!Daemon.IsRunning)
        {
            return;
        }

        (await Docker("network", "prune", "-f")).EnsureSuccess();
    }

    /// <summary>
    /// If wharfd lost track of a container (the bug a crash test looks for), its runc state is still under our data
    /// root: force-delete it so no test process outlives the run.
    /// </summary>
    private async Task DeleteLeftoverRuncContainers()
    {
        if (!Directory.Exists(TempDir))
        {
            return;
        }

        foreach (var state in Directory.EnumerateFiles(TempDir, "state.json", SearchOption.AllDirectories))
        {
            var containerDir = Path.GetDirectoryName(state)!;
            var runcRoot = Path.GetDirectoryName(containerDir)!;
            var id = Path.GetFileName(containerDir);
            await ProcessRunner.RunAsync("runc", ["--root", runcRoot, "delete", "--force", id]);
        }
    }

    private async Task UnmountEverythingUnder()
    {
        var prefix = TempDir + "/";
        // Deepest first; lazy unmount so a busy mount cannot block the cleanup. Two passes catch mounts revealed by
        // the first.
        for (var pass = 0; pass < 2; pass++)
        {
            var mounts = MountPointsUnder(prefix).OrderByDescending(m => m.Length).ToList();
            foreach (var mount in mounts)
            {
                await ProcessRunner.RunAsync("umount", ["-l", mount]);
            }
        }

        var left = MountPointsUnder(prefix).ToList();
        if (left.Count > 0)
        {
            throw new InvalidOperationException("still mounted: " + string.Join(", ", left));
        }
    }

    internal static IEnumerable<string> MountPointsUnder(string prefix) =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(mountPoint => mountPoint.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct();

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }
}
