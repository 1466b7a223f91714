using System.Diagnostics;

namespace Wharf.EndToEnd.Tests;

/// <summary>Runs a command to completion with a deadline, capturing what it printed.</summary>
internal static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<CommandResult> RunAsync(
        string file,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? stdin = null,
        TimeSpan? timeout = null,
        bool keepStdinOpen = false)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var commandLine = string.Join(' ', new[] { file }.Concat(psi.ArgumentList.Select(Quote)));
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                await process.StandardInput.FlushAsync();
            }

            // Most commands must see EOF at once; `script` instead stops early when its stdin ends, so it keeps a
            // silent open pipe until the command is done.
            if (!keepStdinOpen)
            {
                process.StandardInput.Close();
            }
        }
        catch (IOException)
        {
            // The command exited without reading its input; its exit code tells the story.
        }

        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the deadline and the kill.
            }

            await process.WaitForExitAsync();
            var partialOut = await Drain(stdout);
            var partialErr = await Drain(stderr);
            throw new TimeoutException(
                $"{commandLine} did not finish within {limit.TotalSeconds}s\nstdout:\n{partialOut}\nstderr:\n{partialErr}");
        }

        var output = await Drain(stdout);
        var error = await Drain(stderr);
        if (keepStdinOpen)
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Pipe already broken: nothing left to close.
            }
        }

        return new CommandResult(commandLine, process.ExitCode, output, error, watch.Elapsed);
    }

    /// <summary>
    /// Reads what is left of a stream, but does not wait forever: a grandchild that inherited the pipe would keep it
    /// open after the command itself has exited.
    /// </summary>
    private static async Task<string> Drain(Task<string> reader)
    {
        try
        {
            return await reader.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            return "<output pipe still held open by another process>";
        }
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c))
            ? arg
            : "'" + arg.Replace("'", "'\\''") + "'";
}
