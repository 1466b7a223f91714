using System.Net;
using System.Net.Sockets;

namespace Wharf.Unit.Tests.Distribution;

/// <summary>An <see cref="HttpListener"/> on a free port of 127.0.0.1, the fake registries of the distribution
/// tests: nothing they serve is reachable from off the machine.</summary>
internal static class LoopbackListener
{
    public static HttpListener Start(out int port)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        return listener;
    }
}
