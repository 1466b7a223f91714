namespace Wharf.Runtime;

/// <summary>
/// A process to run inside a running container (docker exec). Everything not given here is taken from the
/// container's own process in its config.json: environment, working directory, user, capabilities, rlimits,
/// no-new-privileges, AppArmor/SELinux labels — as Docker builds an exec process from the container's spec.
/// </summary>
/// <param name="Args">Command and arguments (args[0] is looked up on the container's PATH by runc).</param>
public sealed record ExecProcess(IReadOnlyList<string> Args)
{
    /// <summary>KEY=VALUE entries added to the container's environment, replacing same-named ones.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Working directory; null or empty = the container's.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Docker's user spec ("name", "uid", "name:group", "uid:gid"), resolved from the container's
    /// /etc/passwd and /etc/group; null or empty = the container's user.</summary>
    public string? User { get; init; }

    /// <summary>Allocate a pty (output is then one raw stream).</summary>
    public bool Tty { get; init; }

    /// <summary>Give the process a stdin that attach sessions write into; it is closed when the client's ends.</summary>
    public bool OpenStdin { get; init; }

    /// <summary>Every capability wharfd holds (docker exec --privileged).</summary>
    public bool Privileged { get; init; }

    /// <summary>Initial pty rows and columns (0 = leave the default).</summary>
    public int ConsoleHeight { get; init; }

    public int ConsoleWidth { get; init; }
}
