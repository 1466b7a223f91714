using System.Diagnostics;
using Wharf.Core;

namespace Wharf.Network;

/// <summary>Runs a host tool (ip, nft, nsenter) with an optional stdin script; a failure becomes a WharfException
/// carrying the tool's own error text.</summary>
internal static class HostCommand
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string? stdin = null, bool check = true)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw WharfException.Internal($"cannot run {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        p.StandardInput.Close();
        await p.WaitForExitAsync().ConfigureAwait(false);
        var err = await stderr.ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        if (check && p.ExitCode != 0)
            throw WharfException.Internal($"{file} {string.Join(' ', psi.ArgumentList)} failed: {err.Trim()}");
        return output;
    }
}
