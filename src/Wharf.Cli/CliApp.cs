using Wharf.Cli.BaseImage;
using Wharf.Cli.Commands;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli;

/// <summary>Global flags, verb dispatch (with docker's `container …`/`image …` aliases) and error reporting.</summary>
internal static class CliApp
{
    private const string Usage = """
        Usage:  wharf [OPTIONS] COMMAND

        A Docker-compatible client for wharfd

        Options:
          -H, --host string   Daemon socket to connect to (default unix:///run/wharf/wharf.sock;
                              also WHARF_HOST, DOCKER_HOST)
          -v, --version       Print version information and quit

        Commands:
          run         Create and run a new container from an image
          create      Create a new container
          start       Start one or more stopped containers
          ps          List containers
          logs        Fetch the logs of a container
          exec        Execute a command in a running container
          stop        Stop one or more running containers
          kill        Kill one or more running containers
          rm          Remove one or more containers
          wait        Block until one or more containers stop, then print their exit codes
          restart     Restart one or more containers
          pause       Pause all processes within one or more containers
          unpause     Unpause all processes within one or more containers
          rename      Rename a container
          top         Display the running processes of a container
          port        List port mappings or a specific mapping for the container
          diff        Inspect changes to files or directories on a container's filesystem
          stats       Display a sample of container resource usage (--no-stream)
          update      Update configuration of one or more containers
          network     Manage networks (create, ls, inspect, rm, prune, connect, disconnect)
          volume      Manage volumes (create, ls, inspect, rm, prune)
          inspect     Return low-level information on Docker objects
          images      List images
          build       Build an image from a Dockerfile
          import      Import the contents from a tarball to create a filesystem image
          tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
          rmi         Remove one or more images
          save        Save one or more images to a tar archive (streamed to STDOUT by default)
          load        Load an image from a tar archive or STDIN
          image       Manage images (ls, inspect, rm, prune, save, load)
          system      Show docker disk usage (system df)
          base-image  Build the busybox base image from the busybox-static package and import it
          registry    Run an OCI distribution registry (registry serve, registry gc)
          pull        Download an image from a registry
          push        Upload an image to a registry
          login       Log in to a registry
          logout      Log out from a registry
          version     Show the Docker version information
          info        Display system-wide information
        """;

    public static async Task<int> RunAsync(string[] args, Func<string, string?> environment)
    {
        string? host = null;
        var i = 0;
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            var arg = args[i];
            if (arg is "-H" or "--host")
            {
                if (++i >= args.Length)
                {
                    return await UsageErrorAsync("flag needs an argument: --host", null).ConfigureAwait(false);
                }

                host = args[i];
            }
            else if (arg.StartsWith("--host=", StringComparison.Ordinal))
            {
                host = arg["--host=".Length..];
            }
            else if (arg.StartsWith("-H", StringComparison.Ordinal) && arg.Length > 2)
            {
                host = arg[2..].TrimStart('=');
            }
            else if (arg is "-v" or "--version")
            {
                await StdIo.Out.WriteLineAsync($"Wharf version {CliInfo.Version}").ConfigureAwait(false);
                return 0;
            }
            else if (arg is "-h" or "--help")
            {
                await StdIo.Out.WriteLineAsync(Usage).ConfigureAwait(false);
                return 0;
            }
            else if (arg is "-D" or "--debug")
            {
            }
            else if (arg is "-l" or "--log-level")
            {
                i++;
            }
            else
            {
                return await UsageErrorAsync($"unknown flag: {arg}", null).ConfigureAwait(false);
            }
        }

        if (i >= args.Length)
        {
            await StdIo.Out.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        var verb = args[i];
        var rest = args[(i + 1)..];
        if (verb is "container" or "image" or "network" or "volume" or "system" && rest.Length > 0)
        {
            (verb, rest) = Alias(verb, rest[0], rest[1..]);
        }

        if (rest.Contains("--help"))
        {
            await StdIo.Out.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        DockerEndpoint endpoint;
        try
        {
            endpoint = DockerEndpoint.Resolve(host, environment);
        }
        catch (FormatException ex)
        {
            return await UsageErrorAsync(ex.Message, null).ConfigureAwait(false);
        }

        using var ctx = new CliContext(endpoint, environment);
        try
        {
            return verb switch
            {
                "run" => await RunCommand.RunAsync(ctx, rest, isRun: true).ConfigureAwait(false),
                "create" => await RunCommand.RunAsync(ctx, rest, isRun: false).ConfigureAwait(false),
                "start" => await ContainerVerbs.StartAsync(ctx, rest).ConfigureAwait(false),
                "ps" => await PsCommand.RunAsync(ctx, rest).ConfigureAwait(false),
                "logs" => await LogsCommand.RunAsync(ctx, rest).ConfigureAwait(false),
                "exec" => await ExecCommand.RunAsync(ctx, rest).ConfigureAwait(false),
                "stop" => await ContainerVerbs.StopAsync(ctx, rest).ConfigureAwait(false),
                "kill" => await ContainerVerbs.KillAsync(ctx, rest).ConfigureAwait(false),
                "rm" => await ContainerVerbs.RemoveAsync(ctx, rest).ConfigureAwait(false),
                "wait" => await ContainerVerbs.WaitAsync(ctx, rest).ConfigureAwait(false),
                "restart" => await ManageVerbs.RestartAsync(ctx, rest).ConfigureAwait(false),
                "pause" => await ManageVerbs.PauseAsync(ctx, rest).ConfigureAwait(false),
                "unpause" => await ManageVerbs.UnpauseAsync(ctx, rest).ConfigureAwait(false),
                "rename" => await ManageVerbs.RenameAsync(ctx, rest).ConfigureAwait(false),
                "top" => await ManageVerbs.TopAsync(ctx, rest).ConfigureAwait(false),
                "port" => await ManageVerbs.PortAsync(ctx, rest).ConfigureAwait(false),
                "diff" => await ManageVerbs.DiffAsync(ctx, rest).ConfigureAwait(false),
                "stats" => await ManageVerbs.StatsAsync(ctx, rest).ConfigureAwait(false),
                "update" => await ManageVerbs.UpdateAsync(ctx, rest).ConfigureAwait(false),
                "container-prune" => await ManageVerbs.PruneContainersAsync(ctx, rest).ConfigureAwait(false),
                "network-create" => await NetworkVolumeVerbs.NetworkCreateAsync(ctx, rest).ConfigureAwait(false),
                "network-ls" => await NetworkVolumeVerbs.NetworkListAsync(ctx, rest).ConfigureAwait(false),
                "network-rm" => await NetworkVolumeVerbs.NetworkRemoveAsync(ctx, rest).ConfigureAwait(false),
                "network-prune" => await NetworkVolumeVerbs.NetworkPruneAsync(ctx, rest).ConfigureAwait(false),
                "network-connect" => await NetworkVolumeVerbs.NetworkConnectAsync(ctx, rest).ConfigureAwait(false),
                "network-disconnect" => await NetworkVolumeVerbs.NetworkDisconnectAsync(ctx, rest).ConfigureAwait(false),
                "network-inspect" => await InspectCommand.RunAsync(ctx, rest, "network").ConfigureAwait(false),
                "volume-create" => await NetworkVolumeVerbs.VolumeCreateAsync(ctx, rest).ConfigureAwait(false),
                "volume-ls" => await NetworkVolumeVerbs.VolumeListAsync(ctx, rest).ConfigureAwait(false),
                "volume-rm" => await NetworkVolumeVerbs.VolumeRemoveAsync(ctx, rest).ConfigureAwait(false),
                "volume-prune" => await NetworkVolumeVerbs.VolumePruneAsync(ctx, rest).ConfigureAwait(false),
                "volume-inspect" => await InspectCommand.RunAsync(ctx, rest, "volume").ConfigureAwait(false),
                "save" => await ImageArchiveVerbs.SaveAsync(ctx, rest).ConfigureAwait(false),
                "load" => await ImageArchiveVerbs.LoadAsync(ctx, rest).ConfigureAwait(false),
                "image-prune" => await ImageArchiveVerbs.PruneImagesAsync(ctx, rest).ConfigureAwait(false),
                "system-df" => await ImageArchiveVerbs.DiskUsageAsync(ctx, rest).ConfigureAwait(false),
                "inspect" => await InspectCommand.RunAsync(ctx, rest).ConfigureAwait(false),
                "container-inspect" => await InspectCommand.RunAsync(ctx, rest, "container").ConfigureAwait(false),
                "image-inspect" => await InspectCommand.RunAsync(ctx, rest, "image").ConfigureAwait(false),
                "images" => await ImageVerbs.ListAsync(ctx, rest).ConfigureAwait(false),
                "import" => await ImageVerbs.ImportAsync(ctx, rest).ConfigureAwait(false),
                "build" => await BuildCommand.RunAsync(ctx, rest).ConfigureAwait(false),
                "tag" => await ImageVerbs.TagAsync(ctx, rest).ConfigureAwait(false),
                "rmi" => await ImageVerbs.RemoveAsync(ctx, rest).ConfigureAwait(false),
                "base-image" => await BaseImageCommand.RunAsync(ctx, rest).ConfigureAwait(false),
                "registry" => await RegistryCommand.RunAsync(rest).ConfigureAwait(false),
                "pull" => await RegistryVerbs.PullAsync(ctx, rest).ConfigureAwait(false),
                "push" => await RegistryVerbs.PushAsync(ctx, rest).ConfigureAwait(false),
                "login" => await RegistryVerbs.LoginAsync(ctx, rest).ConfigureAwait(false),
                "logout" => await RegistryVerbs.LogoutAsync(ctx, rest).ConfigureAwait(false),
                "version" => await SystemVerbs.VersionAsync(ctx, rest).ConfigureAwait(false),
                "info" => await SystemVerbs.InfoAsync(ctx, rest).ConfigureAwait(false),
                _ => await UsageErrorAsync($"'{verb}' is not a wharf command.", null).ConfigureAwait(false),
            };
        }
        catch (UsageException ex)
        {
            return await UsageErrorAsync(ex.Message, verb).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or DaemonUnreachableException or DockerStreamException or CliException)
        {
            await StdIo.Err.WriteLineAsync(Errors.Describe(ex)).ConfigureAwait(false);
            return 1;
        }
    }

    private static (string Verb, string[] Args) Alias(string group, string sub, string[] rest) => (group, sub) switch
    {
        ("container", "ls" or "list") => ("ps", rest),
        ("container", "inspect") => ("container-inspect", rest),
        ("container", "rm" or "remove") => ("rm", rest),
        ("image", "ls" or "list") => ("images", rest),
        ("image", "inspect") => ("image-inspect", rest),
        ("image", "rm" or "remove") => ("rmi", rest),
        ("image", "base" or "base-image") => ("base-image", rest),
        ("container", "prune") => ("container-prune", rest),
        ("image", "prune") => ("image-prune", rest),
        ("image", "save" or "load") => (sub, rest),
        ("system", "df") => ("system-df", rest),
        ("network" or "volume", "list") => (group + "-ls", rest),
        ("network" or "volume", "remove") => (group + "-rm", rest),
        ("network" or "volume", _) => (group + "-" + sub, rest),
        _ => (sub, rest),
    };

    private static async Task<int> UsageErrorAsync(string message, string? verb)
    {
        await StdIo.Err.WriteLineAsync("wharf: " + message).ConfigureAwait(false);
        await StdIo.Err.WriteLineAsync(verb is null ? "See 'wharf --help'." : $"See 'wharf {verb} --help'.").ConfigureAwait(false);
        return 125;
    }
}
