using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Wharf.Cli.Parsing;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`version` and `info`, laid out like docker's default templates.</summary>
internal static class SystemVerbs
{
    public static async Task<int> VersionAsync(CliContext ctx, string[] args)
    {
        FlagParser.Parse(args, [FlagSpec.Value("format", 'f')]);
        var sb = new StringBuilder();
        sb.Append("Client:\n");
        sb.Append(" Version:           ").Append(CliInfo.Version).Append('\n');
        sb.Append(" API version:       ").Append(ctx.Environment("DOCKER_API_VERSION") ?? DockerClient.ClientApiVersion).Append('\n');
        sb.Append(" .NET version:      ").Append(Environment.Version).Append('\n');
        sb.Append(" OS/Arch:           linux/").Append(GoArch(RuntimeInformation.OSArchitecture)).Append('\n');
        sb.Append(" Context:           default\n");
        sb.Append(" Endpoint:          ").Append(ctx.Endpoint).Append('\n');
        await ctx.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        sb.Clear();

        var server = await ctx.Client.VersionAsync().ConfigureAwait(false);
        sb.Append('\n').Append("Server: ").Append(server.Platform.Name).Append('\n');
        var components = server.Components.Count > 0
            ? server.Components
            : [new Wharf.Api.Daemon.ComponentVersion { Name = "Engine", Version = server.Version }];
        foreach (var component in components)
        {
            sb.Append(' ').Append(component.Name).Append(":\n");
            sb.Append("  Version:          ").Append(component.Version).Append('\n');
            if (component.Name == "Engine")
            {
                sb.Append("  API version:      ").Append(server.ApiVersion).Append(" (minimum version ").Append(server.MinAPIVersion).Append(")\n");
                sb.Append("  Git commit:       ").Append(server.GitCommit).Append('\n');
                sb.Append("  Built:            ").Append(server.BuildTime).Append('\n');
                sb.Append("  OS/Arch:          ").Append(server.Os).Append('/').Append(server.Arch).Append('\n');
                sb.Append("  Experimental:     ").Append(server.Experimental ? "true" : "false").Append('\n');
            }
            else if (component.Details is { } details && details.TryGetValue("GitCommit", out var commit))
            {
                sb.Append("  GitCommit:        ").Append(commit).Append('\n');
            }
        }

        await ctx.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> InfoAsync(CliContext ctx, string[] args)
    {
        FlagParser.Parse(args, [FlagSpec.Value("format", 'f')]);
        var info = await ctx.Client.InfoAsync().ConfigureAwait(false);
        var sb = new StringBuilder();
        sb.Append("Client:\n Version:    ").Append(CliInfo.Version).Append("\n Context:    default\n Debug Mode: false\n\n");
        sb.Append("Server:\n");
        sb.Append(" Containers: ").Append(info.Containers).Append('\n');
        sb.Append("  Running: ").Append(info.ContainersRunning).Append('\n');
        sb.Append("  Paused: ").Append(info.ContainersPaused).Append('\n');
        sb.Append("  Stopped: ").Append(info.ContainersStopped).Append('\n');
        sb.Append(" Images: ").Append(info.Images).Append('\n');
        sb.Append(" Server Version: ").Append(info.ServerVersion).Append('\n');
        sb.Append(" Storage Driver: ").Append(info.Driver).Append('\n');
        foreach (var pair in info.DriverStatus.Where(p => p.Count == 2))
        {
            sb.Append("  ").Append(pair[0]).Append(": ").Append(pair[1]).Append('\n');
        }

        sb.Append(" Logging Driver: ").Append(info.LoggingDriver).Append('\n');
        sb.Append(" Cgroup Driver: ").Append(info.CgroupDriver).Append('\n');
        sb.Append(" Cgroup Version: ").Append(info.CgroupVersion).Append('\n');
        sb.Append(" Plugins:\n  Volume: ").Append(string.Join(' ', info.Plugins.Volume)).Append('\n');
        sb.Append("  Network: ").Append(string.Join(' ', info.Plugins.Network)).Append('\n');
        sb.Append("  Log: ").Append(string.Join(' ', info.Plugins.Log)).Append('\n');
        sb.Append(" Swarm: ").Append(info.Swarm.LocalNodeState).Append('\n');
        sb.Append(" Runtimes: ").Append(string.Join(' ', info.Runtimes.Keys.Order(StringComparer.Ordinal))).Append('\n');
        sb.Append(" Default Runtime: ").Append(info.DefaultRuntime).Append('\n');
        if (info.SecurityOptions.Count > 0)
        {
            sb.Append(" Security Options:\n");
            foreach (var option in info.SecurityOptions)
            {
                sb.Append("  ").Append(option.StartsWith("name=", StringComparison.Ordinal) ? option[5..].Split(',')[0] : option).Append('\n');
            }
        }

        sb.Append(" Kernel Version: ").Append(info.KernelVersion).Append('\n');
        sb.Append(" Operating System: ").Append(info.OperatingSystem).Append('\n');
        sb.Append(" OSType: ").Append(info.OSType).Append('\n');
        sb.Append(" Architecture: ").Append(info.Architecture).Append('\n');
        sb.Append(" CPUs: ").Append(info.NCPU).Append('\n');
        sb.Append(" Total Memory: ").Append(BinarySize(info.MemTotal)).Append('\n');
        sb.Append(" Name: ").Append(info.Name).Append('\n');
        sb.Append(" ID: ").Append(info.ID).Append('\n');
        sb.Append(" Docker Root Dir: ").Append(info.DockerRootDir).Append('\n');
        sb.Append(" Debug Mode: ").Append(info.Debug ? "true" : "false").Append('\n');
        sb.Append(" Experimental: ").Append(info.ExperimentalBuild ? "true" : "false").Append('\n');
        sb.Append(" Live Restore Enabled: ").Append(info.LiveRestoreEnabled ? "true" : "false").Append('\n');
        await ctx.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        foreach (var warning in info.Warnings ?? [])
        {
            await ctx.Err.WriteLineAsync(warning).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>go-units BytesSize: 1024-based with "GiB" units and 4 significant digits ("7.763GiB").</summary>
    internal static string BinarySize(double size)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return size.ToString("G4", CultureInfo.InvariantCulture) + units[unit];
    }

    private static string GoArch(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        _ => architecture.ToString().ToLowerInvariant(),
    };

}
