using Wharf.Api.Containers;
using Wharf.Cli.Parsing;

namespace Wharf.Cli.Commands;

/// <summary>
/// The flags `run` and `create` share, turned into the create body exactly as docker's
/// cli/command/container/opts.go parse() and run.go fill it (attach/stdin flags, entrypoint reset, labels…).
/// </summary>
internal sealed class CreateOptions
{
    public static readonly FlagSpec[] CreateFlags =
    [
        FlagSpec.Bool("interactive", 'i'),
        FlagSpec.Bool("tty", 't'),
        FlagSpec.Bool("rm"),
        FlagSpec.Value("name"),
        FlagSpec.Value("env", 'e'),
        FlagSpec.Value("env-file"),
        FlagSpec.Value("workdir", 'w'),
        FlagSpec.Value("user", 'u'),
        FlagSpec.Value("hostname", 'h'),
        FlagSpec.Value("entrypoint"),
        FlagSpec.Value("label", 'l'),
        FlagSpec.Value("network"),
        FlagSpec.Value("net"),
        FlagSpec.Value("attach", 'a'),
        FlagSpec.Value("stop-signal"),
        FlagSpec.Value("stop-timeout"),
        FlagSpec.Value("restart"),
        FlagSpec.Bool("privileged"),
        FlagSpec.Bool("read-only"),
        FlagSpec.Bool("init"),
        FlagSpec.Value("platform"),
        FlagSpec.Value("pull"),
        FlagSpec.Bool("quiet", 'q'),
        .. ResourceFlags.Specs,
        FlagSpec.Value("volume", 'v'),
        FlagSpec.Value("mount"),
        FlagSpec.Value("volumes-from"),
        FlagSpec.Value("tmpfs"),
        .. HostOptionFlags.Flags,
        .. NetworkFlags.Flags,
    ];

    public static readonly FlagSpec[] RunFlags =
    [
        .. CreateFlags,
        FlagSpec.Bool("detach", 'd'),
        FlagSpec.Value("detach-keys"),
        FlagSpec.Bool("sig-proxy"),
    ];

    public required ContainerCreateRequest Request { get; init; }

    public string? Name { get; init; }

    public bool Detach { get; init; }

    public bool Interactive => Request.OpenStdin;

    public bool Tty => Request.Tty;

    public bool AutoRemove => Request.HostConfig?.AutoRemove == true;

    public bool Quiet { get; init; }

    public string? DetachKeys { get; init; }

    public bool SigProxy { get; init; } = true;

    /// <summary>
    /// Parses `run`/`create` arguments. <paramref name="environment"/> resolves bare <c>-e NAME</c> from the
    /// client's environment; <paramref name="consoleSize"/> is the terminal's (rows, columns), asked only with -t.
    /// </summary>
    public static CreateOptions Parse(IReadOnlyList<string> args, bool isRun, Func<string, string?> environment, Func<(int Rows, int Columns)?>? consoleSize = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var flags = FlagParser.Parse(args, isRun ? RunFlags : CreateFlags, interspersed: false);
        if (flags.Positionals.Count == 0)
        {
            throw new UsageException($"\"{(isRun ? "run" : "create")}\" requires at least 1 argument.");
        }

        var detach = isRun && flags.Bool("detach");
        var interactive = flags.Bool("interactive");
        var tty = flags.Bool("tty");
        var attachStreams = flags.Values("attach").Select(s => s.ToLowerInvariant()).ToList();
        foreach (var stream in attachStreams)
        {
            if (stream is not ("stdin" or "stdout" or "stderr"))
            {
                throw new UsageException($"invalid argument \"{stream}\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR");
            }
        }

        var attachStdin = attachStreams.Contains("stdin") || interactive;
        var attachStdout = attachStreams.Count == 0 || attachStreams.Contains("stdout");
        var attachStderr = attachStreams.Count == 0 || attachStreams.Contains("stderr");

        // When stdin is attached, close it in the container once the client's stdin ends.
        var stdinOnce = interactive && attachStdin;
        if (detach)
        {
            if (attachStreams.Count > 0)
            {
                throw new UsageException("Conflicting options: -a and -d");
            }

            attachStdin = attachStdout = attachStderr = stdinOnce = false;
        }

        List<string>? entrypoint = null;
        if (flags.Has("entrypoint"))
        {
            // `--entrypoint ""` resets the image's entrypoint: docker sends [""].
            entrypoint = [flags.Value("entrypoint")!];
        }

        var env = new List<string>();
        foreach (var file in flags.Values("env-file"))
        {
            env.AddRange(ReadEnvFile(file, environment));
        }

        foreach (var e in flags.Values("env"))
        {
            env.Add(ExpandEnv(e, environment));
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in flags.Values("label"))
        {
            var eq = label.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0)
            {
                throw new UsageException($"invalid argument \"{label}\" for \"-l, --label\" flag: invalid label format");
            }

            if (eq < 0)
            {
                labels[label] = "";
            }
            else
            {
                labels[label[..eq]] = label[(eq + 1)..];
            }
        }

        var network = flags.Value("network") ?? flags.Value("net") ?? "default";
        int? stopTimeout = flags.Int("stop-timeout");
        var request = new ContainerCreateRequest
        {
            Hostname = flags.Value("hostname") ?? "",
            User = flags.Value("user") ?? "",
            AttachStdin = attachStdin,
            AttachStdout = attachStdout,
            AttachStderr = attachStderr,
            Tty = tty,
            OpenStdin = interactive,
            StdinOnce = stdinOnce,
            Env = env,
            Cmd = flags.Positionals.Count > 1 ? [.. flags.Positionals.Skip(1)] : null,
            Image = flags.Positionals[0],
            Volumes = [],
            WorkingDir = flags.Value("workdir") ?? "",
            Entrypoint = entrypoint,
            Labels = labels,
            StopSignal = flags.Value("stop-signal"),
            StopTimeout = stopTimeout,
            HostConfig = new HostConfig
            {
                AutoRemove = flags.Bool("rm"),
                NetworkMode = network,
                RestartPolicy = ParseRestart(flags.Value("restart")),
                LogConfig = new LogConfig { Type = "", Config = [] },
                Privileged = flags.Bool("privileged"),
                ReadonlyRootfs = flags.Bool("read-only"),
                Init = flags.Has("init") ? flags.Bool("init") : null,
                ConsoleSize = tty && consoleSize?.Invoke() is { } size ? [(uint)size.Rows, (uint)size.Columns] : [0, 0],
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = network is "host" or "none" ? [] : new Dictionary<string, EndpointSettings> { [network] = new() },
            },
        };

        ResourceFlags.Apply(flags, request.HostConfig);
        MountFlags.Apply(flags, request, request.HostConfig);
        HostOptionFlags.Apply(flags, request.HostConfig);
        NetworkFlags.Apply(flags, request);

        if (request.HostConfig.AutoRemove && request.HostConfig.RestartPolicy.Name is not ("" or "no"))
        {
            throw new UsageException("Conflicting options: --restart and --rm");
        }

        return new CreateOptions
        {
            Request = request,
            Name = flags.Value("name"),
            Detach = detach,
            Quiet = flags.Bool("quiet"),
            DetachKeys = flags.Value("detach-keys"),
            SigProxy = !flags.Has("sig-proxy") || flags.Bool("sig-proxy"),
        };
    }

    internal static RestartPolicy ParseRestart(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return new RestartPolicy { Name = "no" };
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon >= 0 ? value[..colon] : value;
        if (name is not ("no" or "always" or "unless-stopped" or "on-failure"))
        {
            throw new UsageException($"invalid restart policy '{value}'");
        }

        var retries = 0;
        if (colon >= 0 && !int.TryParse(value[(colon + 1)..], out retries))
        {
            throw new UsageException($"invalid restart policy '{value}': maximum retry count must be an integer");
        }

        return new RestartPolicy { Name = name, MaximumRetryCount = retries };
    }

    /// <summary>`-e NAME` takes NAME's value from the client environment when it is set, as docker does.</summary>
    private static string ExpandEnv(string entry, Func<string, string?> environment)
    {
        if (entry.Length == 0 || entry[0] == '=')
        {
            throw new UsageException($"invalid argument \"{entry}\" for \"-e, --env\" flag: variable name must not be empty");
        }

        if (entry.Contains('=', StringComparison.Ordinal))
        {
            return entry;
        }

        return environment(entry) is { } value ? entry + "=" + value : entry;
    }

    private static IEnumerable<string> ReadEnvFile(string path, Func<string, string?> environment)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException ex)
        {
            throw new UsageException($"open {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UsageException($"open {path}: {ex.Message}");
        }

        foreach (var raw in lines)
        {
            var line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            yield return ExpandEnv(line, environment);
        }
    }
}
