using System.Net.Sockets;
using Wharf.Daemon.Http;
using Wharf.Interop;

namespace Wharf.Daemon;

/// <summary>
/// The API socket: created mode 0660, group "wharf" when that group exists (else root only), as
/// dockerd does with its docker group. Each accepted connection runs its own <see cref="HttpConnection"/>.
/// </summary>
internal sealed class UnixSocketListener(string path, Router router, Log log) : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public void Bind()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path)) File.Delete(path); // a stale socket of a previous run: we hold the pid file, so it is ours
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        int gid = GroupId("wharf");
        if (gid >= 0 && Native.chown(path, 0, gid) != 0) log.Warn($"could not give {path} to group wharf");
        _socket.Listen(512);
    }

    public async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try { client = await _socket.AcceptAsync(ct); }
            catch (OperationCanceledException) { break; }
            catch (SocketException e) { log.Warn("accept: " + e.Message); continue; }
            _ = Task.Run(() => new HttpConnection(client, router, log).RunAsync(ct), CancellationToken.None);
        }
    }

    /// <summary>Looks a group up in /etc/group; -1 when it does not exist.</summary>
    private static int GroupId(string name)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/group"))
            {
                var f = line.Split(':');
                if (f.Length >= 3 && f[0] == name && int.TryParse(f[2], out var gid)) return gid;
            }
        }
        catch (IOException) { }
        return -1;
    }

    public void Dispose()
    {
        _socket.Dispose();
        try { File.Delete(path); } catch (IOException) { }
    }
}
