using System.Buffers.Binary;
using System.Net.Sockets;
using Wharf.Interop;

namespace Wharf.Runtime;

/// <summary>Client side of <see cref="ShimProtocol"/>: one socket to a container's monitor.</summary>
internal sealed class ShimConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _header = new byte[ShimProtocol.HeaderSize];

    private ShimConnection(Socket socket) => _socket = socket;

    /// <summary>Connects to the monitor of the container in <paramref name="stateDir"/>, or returns null
    /// when no monitor is listening (it exited, or never started).</summary>
    public static async Task<ShimConnection?> TryConnectAsync(string stateDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetFullPath(stateDir), ShimProtocol.SocketName);
        if (!File.Exists(path)) return null;
        int dirFd = -1;
        try
        {
            if (System.Text.Encoding.UTF8.GetByteCount(path) > 100)
            {
                // sun_path holds 108 bytes; data roots can be deeper. Go through a directory fd instead.
                dirFd = Native.open(Path.GetDirectoryName(path)!, Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
                if (dirFd < 0) return null;
                path = $"/proc/self/fd/{dirFd}/{ShimProtocol.SocketName}";
            }
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return new ShimConnection(socket);
            }
            catch (SocketException)
            {
                socket.Dispose();
                return null;
            }
        }
        finally
        {
            if (dirFd >= 0) Native.close(dirFd);
        }
    }

    public async ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var header = new byte[ShimProtocol.HeaderSize];
            ShimProtocol.WriteHeader(header, type, payload.Length);
            await _socket.SendAsync(header, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            while (!payload.IsEmpty)
            {
                int n = await _socket.SendAsync(payload, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                payload = payload[n..];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Next frame from the monitor, or null when it closed the connection.</summary>
    public async ValueTask<(byte Type, byte[] Payload)?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactlyAsync(_header, cancellationToken).ConfigureAwait(false)) return null;
        int len = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        if (len < 0 || len > ShimProtocol.MaxFrame * 4) return null;
        var payload = new byte[len];
        if (len > 0 && !await ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false)) return null;
        return (_header[0], payload);
    }

    private async ValueTask<bool> ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                return false;
            }
            if (n == 0) return false;
            buffer = buffer[n..];
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
