using System.Net;
using System.Net.Sockets;

namespace Wharf.Client;

/// <summary>Opens a raw socket to the daemon; shared by the HTTP handler and the hijacked attach connection.</summary>
internal static class EndpointConnector
{
    public static async ValueTask<Socket> ConnectAsync(DockerEndpoint endpoint, CancellationToken cancellationToken)
    {
        Socket socket;
        EndPoint target;
        if (endpoint.IsUnix)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            target = new UnixDomainSocketEndPoint(endpoint.SocketPath!);
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            target = new DnsEndPoint(endpoint.Host!, endpoint.Port);
        }

        try
        {
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(endpoint, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
