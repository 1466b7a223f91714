using System.Diagnostics;

namespace Wharf.Registry.Tests;

/// <summary>Runs the external tools the tests drive (htpasswd, openssl, skopeo, docker); a missing one fails loudly.</summary>
public static class Tools
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null)
    {
        if (!File.Exists(exe)) throw new InvalidOperationException($"{exe} is missing: the test needs it");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return (p.ExitCode, await o, await e);
    }

    public static async Task<string> CheckedAsync(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null)
    {
        var (code, o, e) = await RunAsync(exe, args, env, stdin);
        if (code != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {code}: {e}{o}");
        return o;
    }
}
