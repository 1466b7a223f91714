using System.Runtime.InteropServices;
using Wharf.Cli.Terminal;
using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>
/// The foreground part of `run` and `start -a`: attach (hijacked) → wait registered → start → resize, then pump
/// stdin and output until the daemon closes the stream, and return the container's exit code.
/// </summary>
internal static class AttachedRun
{
    private static readonly (PosixSignal Signal, string Name)[] ProxiedSignals =
    [
        (PosixSignal.SIGINT, "INT"),
        (PosixSignal.SIGTERM, "TERM"),
        (PosixSignal.SIGQUIT, "QUIT"),
        (PosixSignal.SIGHUP, "HUP"),
    ];

    public sealed record Streams(bool Stdin, bool Stdout, bool Stderr, bool Tty, bool AutoRemove, bool SigProxy, string? DetachKeys);

    /// <summary>Runs the sequence; <paramref name="errorPrefix"/> is "wharf: " for run (docker prints "docker: ").</summary>
    public static async Task<int> RunAsync(CliContext ctx, string id, Streams streams, string errorPrefix)
    {
        var client = ctx.Client;
        HijackedConnection? connection = null;
        if (streams.Stdin || streams.Stdout || streams.Stderr)
        {
            connection = await client.AttachContainerAsync(id, new AttachOptions
            {
                Stdin = streams.Stdin,
                Stdout = streams.Stdout,
                Stderr = streams.Stderr,
                DetachKeys = streams.DetachKeys,
            }).ConfigureAwait(false);
        }

        await using var attachment = connection;
        var wait = await client.BeginWaitContainerAsync(id, streams.AutoRemove ? "removed" : "next-exit").ConfigureAwait(false);

        // The terminal goes raw only for an interactive TTY session, as docker does.
        using var terminal = streams.Tty && streams.Stdin ? TerminalMode.EnterRaw() : null;
        try
        {
            await client.StartContainerAsync(id).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            terminal?.Dispose();
            connection?.Dispose();
            if (streams.AutoRemove)
            {
                // The daemon removes a container whose start failed; let that finish like docker does.
                try
                {
                    await wait.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
                catch (Exception waitError) when (waitError is DockerApiException or TimeoutException or HttpRequestException or IOException)
                {
                }
            }

            await ctx.Err.WriteLineAsync(errorPrefix + Errors.Describe(ex)).ConfigureAwait(false);
            return Errors.StartFailureExitCode(ex.Message);
        }

        var registrations = new List<PosixSignalRegistration>();
        try
        {
            if (streams.Tty)
            {
                await ResizeAsync(client, id).ConfigureAwait(false);
                registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => ResizeAsync(client, id).ContinueWith(static _ => { }, TaskScheduler.Default)));
            }
            else if (streams.SigProxy)
            {
                foreach (var (signal, name) in ProxiedSignals)
                {
                    registrations.Add(PosixSignalRegistration.Create(signal, context =>
                    {
                        context.Cancel = true;
                        _ = ForwardSignalAsync(client, id, name);
                    }));
                }
            }

            if (connection is not null)
            {
                Task? stdinTask = null;
                if (streams.Stdin)
                {
                    var stdin = StdIo.InStream;
                    stdinTask = Task.Run(() => connection.PumpStdinAsync(stdin));
                }
                else
                {
                    // Nothing to send: tell the daemon at once, as the docker CLI does.
                    connection.CloseStdin();
                }

                var stdout = StdIo.OutStream;
                var stderr = StdIo.ErrStream;
                try
                {
                    if (streams.Tty)
                    {
                        await connection.Output.CopyToAsync(stdout).ConfigureAwait(false);
                    }
                    else
                    {
                        await new StdCopyReader(connection.Output).CopyToAsync(stdout, stderr).ConfigureAwait(false);
                    }
                }
                catch (IOException)
                {
                    // Connection reset after the container exited: the wait result still tells the exit code.
                }
                catch (DockerStreamException ex)
                {
                    terminal?.Dispose();
                    await ctx.Err.WriteLineAsync(errorPrefix + ex.Message).ConfigureAwait(false);
                    return 125;
                }

                _ = stdinTask;
            }

            var result = await wait.ConfigureAwait(false);
            if (result.Error is { Message.Length: > 0 } error)
            {
                terminal?.Dispose();
                await ctx.Err.WriteLineAsync(errorPrefix + error.Message).ConfigureAwait(false);
                return 125;
            }

            return (int)result.StatusCode;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private static async Task ResizeAsync(DockerClient client, string id)
    {
        if (Console.IsOutputRedirected)
        {
            return;
        }

        if (TerminalMode.Size() is not { } size)
        {
            return;
        }

        var (height, width) = size;
        // The TTY may not be ready right after start; docker retries a few times before giving up quietly.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await client.ResizeContainerAsync(id, height, width).ConfigureAwait(false);
                return;
            }
            catch (DockerApiException)
            {
                await Task.Delay(10 * (attempt + 1)).ConfigureAwait(false);
            }
        }
    }

    private static async Task ForwardSignalAsync(DockerClient client, string id, string name)
    {
        try
        {
            await client.KillContainerAsync(id, name).ConfigureAwait(false);
        }
        catch (DockerApiException)
        {
            // The container may already be gone; the wait reports what happened.
        }
    }
}
