using System.Diagnostics;
using System.Text;
using Wharf.Interop;

namespace Wharf.Runtime;

/// <summary>
/// Runs a healthcheck probe with <c>runc exec</c> in a running container and captures its exit code and output
/// (stdout and stderr together, first 4096 bytes, as Docker keeps). Minimal on purpose: no tty, no stdin, the
/// container's own env/cwd/user (runc exec takes them from config.json). Cancelling (the probe's timeout) sends
/// SIGTERM, which runc forwards to the probe, then SIGKILLs runc, and throws OperationCanceledException.
/// </summary>
public sealed class RuncProbeRunner(string runtime, string runcRoot)
{
    private const int MaxOutput = 4096;

    public async Task<(int ExitCode, string Output)> RunAsync(string id, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(runtime)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--root", runcRoot, "exec", id]) psi.ArgumentList.Add(a);
        foreach (var a in command) psi.ArgumentList.Add(a);

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot run {runtime}");
        p.StandardInput.Close();
        var output = new MemoryStream();
        var outTask = CopyLimitedAsync(p.StandardOutput.BaseStream, output);
        var errTask = CopyLimitedAsync(p.StandardError.BaseStream, output);
        try
        {
            await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = Native.kill(p.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try { await p.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { p.Kill(); }
            throw;
        }
        await Task.WhenAll(outTask, errTask).ConfigureAwait(false);
        lock (output) return (p.ExitCode, Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length));
    }

    /// <summary>Appends what the stream gives to the shared buffer up to the limit, then drains the rest so the
    /// probe never blocks on a full pipe.</summary>
    private static async Task CopyLimitedAsync(Stream from, MemoryStream to)
    {
        var buffer = new byte[4096];
        int n;
        while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (to)
            {
                var room = MaxOutput - (int)to.Length;
                if (room > 0) to.Write(buffer, 0, Math.Min(room, n));
            }
        }
    }
}
