namespace Wharf.Runtime;

/// <summary>An attach session over the monitor socket (or an already-ended one when the monitor is gone).</summary>
internal sealed class ShimAttachSession : IAttachSession
{
    private readonly ShimConnection? _connection;
    private bool _ended;

    public ShimAttachSession(ShimConnection? connection)
    {
        _connection = connection;
        _ended = connection == null;
    }

    public async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        while (!_ended)
        {
            var frame = await _connection!.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (frame is not { } f || f.Type == ShimProtocol.Exit)
            {
                _ended = true;
                break;
            }
            if (f.Type is ShimProtocol.Stdout or ShimProtocol.Stderr)
                return new OutputChunk(f.Type, f.Payload);
        }
        return null;
    }

    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_connection == null || data.IsEmpty) return;
        try
        {
            while (!data.IsEmpty)
            {
                var piece = data[..Math.Min(data.Length, 64 * 1024)];
                await _connection.SendAsync(ShimProtocol.Stdin, piece, cancellationToken).ConfigureAwait(false);
                data = data[piece.Length..];
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The container exited while the client was still typing: stdin has nowhere to go.
        }
    }

    public async ValueTask CloseStdinAsync(CancellationToken cancellationToken)
    {
        if (_connection == null) return;
        try
        {
            await _connection.SendAsync(ShimProtocol.StdinClose, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
    }

    public ValueTask DisposeAsync() => _connection?.DisposeAsync() ?? ValueTask.CompletedTask;
}
