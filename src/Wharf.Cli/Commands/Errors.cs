using Wharf.Client;

namespace Wharf.Cli.Commands;

/// <summary>How daemon errors are printed: docker's "Error response from daemon: …" wording.</summary>
internal static class Errors
{
    public static string Describe(Exception ex) => ex switch
    {
        DockerApiException api => "Error response from daemon: " + api.Message,
        DaemonUnreachableException unreachable => unreachable.Message,
        _ => ex.Message,
    };

    /// <summary>
    /// docker run's mapping of a failed start to an exit code (cli run.go runStartContainerErr): 127 when the
    /// command was not found, 126 when it could not be executed, otherwise 125.
    /// </summary>
    public static int StartFailureExitCode(string message)
    {
        if (message.Contains("executable file not found", StringComparison.Ordinal)
            || message.Contains("no such file or directory", StringComparison.Ordinal)
            || message.Contains("system cannot find the file specified", StringComparison.Ordinal))
        {
            return 127;
        }

        return message.Contains("permission denied", StringComparison.Ordinal) ? 126 : 125;
    }
}

/// <summary>A failure of the CLI itself (not the daemon's): its message is printed as is and wharf exits 1.</summary>
internal sealed class CliException(string message) : Exception(message);
