using System.Buffers.Binary;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;

namespace Wharf.Daemon.Endpoints;

/// <summary>The two halves of a hijacked attach or exec stream: output in stdcopy frames (or raw for a TTY), and the
/// client's stdin copied to the process while watching for the detach keys.</summary>
internal static class HijackedStdio
{
    /// <summary>stdcopy framing: [stream, 0, 0, 0, size big-endian] + payload; raw bytes for TTY.</summary>
    public static ValueTask WriteOutputAsync(Stream s, bool multiplexed, int stream, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (!multiplexed) return s.WriteAsync(data, ct);
        var frame = new byte[8 + data.Length];
        frame[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)data.Length);
        data.CopyTo(frame.AsMemory(8));
        return s.WriteAsync(frame, ct);
    }

    /// <summary>
    /// Copies the client's stdin to <paramref name="write"/> until the client half-closes (then
    /// <paramref name="close"/>, as Docker closes the process's stdin) or types the detach keys (then
    /// <paramref name="detach"/> is cancelled and stdin stays open: the process keeps it).
    /// </summary>
    public static async Task PumpStdinAsync(HijackedStream raw, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
        Func<CancellationToken, ValueTask> close, EscapeScanner? escape, CancellationTokenSource detach, CancellationToken ct)
    {
        var buf = new byte[32 * 1024];
        try
        {
            while (true)
            {
                int n = await raw.ReadAsync(buf, ct);
                if (n == 0) break;
                if (escape is null)
                {
                    await write(buf.AsMemory(0, n), ct);
                    continue;
                }
                var (forward, detached) = escape.Feed(buf.AsSpan(0, n));
                if (forward.Length > 0) await write(forward, ct);
                if (detached)
                {
                    await detach.CancelAsync();
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException) { }
        if (!ct.IsCancellationRequested) await close(CancellationToken.None);
    }
}
