namespace Wharf.Client;

/// <summary>
/// Where the daemon listens. Parsed from <c>-H</c>, <c>WHARF_HOST</c> or <c>DOCKER_HOST</c> in the forms Docker
/// accepts for the transports Wharf speaks: <c>unix:///path</c> and plain <c>tcp://host:port</c>.
/// </summary>
public sealed record DockerEndpoint
{
    public const string DefaultSocketPath = "/run/wharf/wharf.sock";

    /// <summary>Docker's unencrypted TCP port, used when a tcp:// address has none.</summary>
    public const int DefaultTcpPort = 2375;

    private DockerEndpoint(string? socketPath, string? host, int port)
    {
        SocketPath = socketPath;
        Host = host;
        Port = port;
    }

    /// <summary>Path of the unix socket, or null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>TCP host name or address, or null for a unix socket.</summary>
    public string? Host { get; }

    public int Port { get; }

    public bool IsUnix => SocketPath is not null;

    public static DockerEndpoint Default { get; } = Unix(DefaultSocketPath);

    public static DockerEndpoint Unix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new DockerEndpoint(path, null, 0);
    }

    public static DockerEndpoint Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new DockerEndpoint(null, host, port);
    }

    /// <summary>
    /// Chooses the endpoint the way the CLI does: an explicit <c>-H</c> wins, then <c>WHARF_HOST</c> (ours, more
    /// specific), then <c>DOCKER_HOST</c>, then the default socket. Empty values count as unset, like Docker.
    /// </summary>
    public static DockerEndpoint Resolve(string? explicitHost, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var candidate in new[] { explicitHost, environment("WHARF_HOST"), environment("DOCKER_HOST") })
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                return Parse(candidate);
            }
        }

        return Default;
    }

    /// <summary>Parses one address; throws <see cref="FormatException"/> with Docker-like wording.</summary>
    public static DockerEndpoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.Trim();
        if (text.Length == 0)
        {
            throw new FormatException("empty daemon address");
        }

        if (text.StartsWith('/'))
        {
            // A bare absolute path is what people paste from `ls`; treat it as a socket path.
            return Unix(text);
        }

        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep < 0)
        {
            // Docker treats "host:port" without a scheme as tcp.
            return ParseTcp(text, address);
        }

        var scheme = text[..sep].ToLowerInvariant();
        var rest = text[(sep + 3)..];
        switch (scheme)
        {
            case "unix":
                if (rest.Length == 0 || !rest.StartsWith('/'))
                {
                    throw new FormatException($"invalid unix socket address '{address}': the path must be absolute (unix:///path)");
                }

                return Unix(rest);
            case "tcp":
            case "http":
                return ParseTcp(rest, address);
            default:
                throw new FormatException($"unsupported daemon address '{address}': use unix:///path or tcp://host:port");
        }
    }

    private static DockerEndpoint ParseTcp(string hostPort, string original)
    {
        var end = hostPort.IndexOf('/', StringComparison.Ordinal);
        if (end >= 0)
        {
            if (hostPort[end..].Trim('/').Length > 0)
            {
                throw new FormatException($"invalid daemon address '{original}': no path is allowed after the port");
            }

            hostPort = hostPort[..end];
        }

        string host;
        string? portText = null;
        if (hostPort.StartsWith('['))
        {
            // [ipv6]:port
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"invalid daemon address '{original}'");
            }

            host = hostPort[1..close];
            var after = hostPort[(close + 1)..];
            if (after.StartsWith(':'))
            {
                portText = after[1..];
            }
            else if (after.Length > 0)
            {
                throw new FormatException($"invalid daemon address '{original}'");
            }
        }
        else
        {
            var colon = hostPort.LastIndexOf(':');
            host = colon >= 0 ? hostPort[..colon] : hostPort;
            portText = colon >= 0 ? hostPort[(colon + 1)..] : null;
        }

        if (host.Length == 0)
        {
            host = "127.0.0.1";
        }

        var port = DefaultTcpPort;
        if (!string.IsNullOrEmpty(portText)
            && (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
                || port is <= 0 or > 65535))
        {
            throw new FormatException($"invalid port in daemon address '{original}'");
        }

        return Tcp(host, port);
    }

    public override string ToString() =>
        IsUnix ? "unix://" + SocketPath : Host!.Contains(':', StringComparison.Ordinal) ? $"tcp://[{Host}]:{Port}" : $"tcp://{Host}:{Port}";
}
