using Wharf.Api.Exec;
using Wharf.Cli.Parsing;
using Wharf.Cli.Terminal;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>`wharf exec [OPTIONS] CONTAINER COMMAND [ARG...]`, docker's sequence: create, start (hijacked
/// with the body, or detached), resize for -t, then the exit code from exec inspect.</summary>
internal static class ExecCommand
{
    private static readonly FlagSpec[] Specs =
    [
        FlagSpec.Bool("detach", 'd'), FlagSpec.Value("detach-keys"), FlagSpec.Value("env", 'e'), FlagSpec.Value("env-file"),
        FlagSpec.Bool("interactive", 'i'), FlagSpec.Bool("privileged"), FlagSpec.Bool("tty", 't'), FlagSpec.Value("user", 'u'),
        FlagSpec.Value("workdir", 'w'),
    ];

    public static async Task<int> RunAsync(CliContext ctx, string[] args)
    {
        // Flags stop at the container name: the command's own flags belong to it.
        var flags = FlagParser.Parse(args, Specs, interspersed: false);
        if (flags.Positionals.Count < 2) throw new UsageException("\"exec\" requires at least 2 arguments.");
        var container = flags.Positionals[0];
        bool detach = flags.Bool("detach"), tty = flags.Bool("tty"), interactive = flags.Bool("interactive");
        if (!detach && interactive && tty && Console.IsInputRedirected)
        {
            await ctx.Err.WriteLineAsync("the input device is not a TTY").ConfigureAwait(false);
            return 1;
        }

        var env = new List<string>();
        foreach (var file in flags.Values("env-file")) env.AddRange(ReadEnvFile(file));
        foreach (var e in flags.Values("env")) env.Add(e.Contains('=', StringComparison.Ordinal) || ctx.Environment(e) is not { } v ? e : e + "=" + v);
        var size = tty && !Console.IsOutputRedirected ? TerminalMode.Size() : null;
        var request = new ExecCreateRequest
        {
            User = flags.Value("user"),
            Privileged = flags.Bool("privileged"),
            Tty = tty,
            ConsoleSize = size is { } s ? [(uint)s.Rows, (uint)s.Columns] : null,
            AttachStdin = interactive && !detach,
            AttachStdout = !detach,
            AttachStderr = !detach,
            Detach = detach,
            DetachKeys = flags.Value("detach-keys"),
            Env = env.Count > 0 ? env : null,
            WorkingDir = flags.Value("workdir"),
            Cmd = [.. flags.Positionals.Skip(1)],
        };

        string execId;
        try
        {
            execId = (await ctx.Client.CreateExecAsync(container, request).ConfigureAwait(false)).Id;
            if (detach)
            {
                await ctx.Client.StartExecDetachedAsync(execId).ConfigureAwait(false);
                return 0;
            }
        }
        catch (Exception ex) when (ex is DockerApiException or DaemonUnreachableException)
        {
            await ctx.Err.WriteLineAsync(Errors.Describe(ex)).ConfigureAwait(false);
            return 1;
        }

        using (var terminal = tty && interactive ? TerminalMode.EnterRaw() : null)
        {
            await using var connection = await ctx.Client.StartExecAttachedAsync(execId, new ExecStartRequest
            {
                Tty = tty,
                ConsoleSize = request.ConsoleSize,
            }).ConfigureAwait(false);
            if (size is { } sz) _ = ResizeQuietlyAsync(ctx.Client, execId, sz.Rows, sz.Columns);
            if (interactive) _ = Task.Run(() => connection.PumpStdinAsync(StdIo.InStream));
            else connection.CloseStdin();
            try
            {
                if (tty) await connection.Output.CopyToAsync(StdIo.OutStream).ConfigureAwait(false);
                else await new StdCopyReader(connection.Output).CopyToAsync(StdIo.OutStream, StdIo.ErrStream).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The daemon closed the connection; the exit code is asked for below.
            }
        }

        var inspect = await ctx.Client.InspectExecAsync(execId).ConfigureAwait(false);
        return inspect.ExitCode ?? 0;
    }

    private static async Task ResizeQuietlyAsync(DockerClient client, string execId, int rows, int columns)
    {
        try
        {
            await client.ResizeExecAsync(execId, rows, columns).ConfigureAwait(false);
        }
        catch (DockerApiException)
        {
            // The process may be gone already.
        }
    }

    /// <summary>docker's env-file: KEY=VALUE lines, '#' comments, a bare KEY takes the CLI's environment value.</summary>
    private static IEnumerable<string> ReadEnvFile(string path)
    {
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.Contains('=', StringComparison.Ordinal)) yield return line;
            else if (Environment.GetEnvironmentVariable(line) is { } v) yield return line + "=" + v;
        }
    }
}
