using System.Buffers.Binary;

namespace Wharf.Runtime;

/// <summary>
/// The wire protocol between the runc driver and wharf-shim, on the unix socket
/// <c>{StateDir}/shim.sock</c>. Shared by both sides so they cannot drift.
///
/// Every message in both directions is one frame: <c>[type:1][length:4, big-endian][payload:length]</c>.
///
/// Client → shim:
///   'a' attach       subscribe this connection to output (frames 1/2) and the exit notice; answered with 'k'
///                    once subscribed. Output that was produced before the attach is only in the log.
///   'i' stdin        payload is bytes for the container's stdin (dropped when stdin is not open).
///   'c' stdin-close  this client's stdin ended; with StdinOnce the container's stdin is closed.
///   'r' resize       payload [rows:2][cols:2] big-endian; answered with 'k' or 'e'.
///   'w' wait         answered with 'x' once the init process has exited and its output is logged.
///   (exec sessions use their own monitor with this same protocol; types 'E'… stay reserved.)
///
/// Shim → client:
///   1 / 2            output chunk for stdout / stderr (TTY containers only send 1).
///   'x'              exit record as JSON (the content of exit.json); the shim then closes the connection.
///   'k' / 'e'        reply to a request: ok / error message (UTF-8).
///
/// A client that does not read fast enough has output frames dropped once its queue exceeds
/// <see cref="MaxClientBacklog"/> bytes, so it can never stall the log writer or other clients.
/// </summary>
public static class ShimProtocol
{
    public const byte Attach = (byte)'a';
    public const byte Stdin = (byte)'i';
    public const byte StdinClose = (byte)'c';
    public const byte Resize = (byte)'r';
    public const byte Wait = (byte)'w';

    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Exit = (byte)'x';
    public const byte Ok = (byte)'k';
    public const byte Error = (byte)'e';

    public const int HeaderSize = 5;
    public const int MaxFrame = 1 << 20;
    public const int MaxClientBacklog = 4 << 20;

    public const string SocketName = "shim.sock";
    public const string ExitFileName = "exit.json";
    public const string PidFileName = "init.pid";
    public const string RuncLogName = "runc.log";
    public const string ShimLogName = "shim.log";

    /// <summary>The flag of a spare monitor (<c>wharf-shim monitor --args-on-stdin</c>): its other flags come on stdin,
    /// each followed by a NUL, ended by EOF (MonitorLauncher hands them over).</summary>
    public const string SpareFlag = "--args-on-stdin";

    public static void WriteHeader(Span<byte> destination, byte type, int length)
    {
        destination[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], length);
    }

    public static byte[] Frame(byte type, ReadOnlySpan<byte> payload)
    {
        var buf = new byte[HeaderSize + payload.Length];
        WriteHeader(buf, type, payload.Length);
        payload.CopyTo(buf.AsSpan(HeaderSize));
        return buf;
    }
}
