using System.Diagnostics;

namespace Wharf.Cli.Terminal;

/// <summary>
/// Puts the controlling terminal in raw mode for `run -it` and restores it afterwards. Uses stty(1) so the CLI
/// stays free of native declarations (those live in Wharf.Interop, which the client side must not reference).
/// </summary>
internal sealed class TerminalMode : IDisposable
{
    private readonly string _saved;

    private TerminalMode(string saved) => _saved = saved;

    /// <summary>Returns null when stdin is not a terminal or stty is unavailable.</summary>
    public static TerminalMode? EnterRaw()
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        var saved = Stty("-g");
        if (saved is null)
        {
            return null;
        }

        Stty("raw", "-echo");
        return new TerminalMode(saved.Trim());
    }

    public void Dispose() => Stty(_saved);

    private static string? Stty(params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("stty") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            // stty acts on its stdin, which it inherits from us: the terminal.
            using var p = Process.Start(psi);
            if (p is null)
            {
                return null;
            }

            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
