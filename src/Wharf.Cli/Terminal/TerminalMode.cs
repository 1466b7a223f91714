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

    /// <summary>
    /// The terminal's (rows, columns) from <c>stty size</c>, or null without a terminal. Console.WindowHeight would
    /// make .NET initialise the terminal and write keypad-mode escapes into the container's output.
    /// </summary>
    public static (int Rows, int Columns)? Size()
    {
        var text = Stty("size");
        var parts = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts is { Length: 2 }
            && int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var rows)
            && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var columns)
            && rows > 0 && columns > 0
            ? (rows, columns)
            : null;
    }

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
