using Wharf.Interop;
using Wharf.Runtime;

namespace Wharf.Shim;

/// <summary>One connection on the control socket: an input frame parser and a bounded output queue.</summary>
internal sealed class ClientConnection
{
    private readonly Queue<byte[]> _out = new();
    private int _outOffset;
    private byte[] _in = new byte[256];
    private int _inLen;

    public ClientConnection(int fd) => Fd = fd;

    public int Fd { get; private set; }
    public bool Attached { get; set; }
    public bool Waiting { get; set; }
    /// <summary>Close once the queue is flushed (after the exit notice).</summary>
    public bool Closing { get; set; }
    public bool Dead => Fd < 0;
    public long Backlog { get; private set; }
    public bool HasOutput => _out.Count > 0;

    /// <summary>Queues a frame; output frames are dropped when the client is too far behind.</summary>
    public void Send(byte type, ReadOnlySpan<byte> payload, bool droppable)
    {
        if (Dead) return;
        if (droppable && Backlog + payload.Length > ShimProtocol.MaxClientBacklog) return;
        var frame = ShimProtocol.Frame(type, payload);
        _out.Enqueue(frame);
        Backlog += frame.Length;
        Flush();
    }

    /// <summary>Writes as much of the queue as the socket takes without blocking.</summary>
    public void Flush()
    {
        while (!Dead && _out.Count > 0)
        {
            var head = _out.Peek();
            int n = Native.Send(Fd, head.AsSpan(_outOffset), Native.MSG_NOSIGNAL);
            if (n < 0)
            {
                if (n == -Native.EAGAIN) return;
                Close();
                return;
            }
            _outOffset += n;
            Backlog -= n;
            if (_outOffset == head.Length)
            {
                _out.Dequeue();
                _outOffset = 0;
            }
        }
        if (!Dead && Closing && _out.Count == 0) Close();
    }

    /// <summary>Reads what is available and returns complete frames; false when the peer closed.</summary>
    public bool Receive(List<(byte Type, byte[] Payload)> frames)
    {
        Span<byte> tmp = stackalloc byte[16384];
        int n = Wharf.Shim.Fd.Read(Fd, tmp);
        if (n == -Native.EAGAIN) return true;
        if (n <= 0) return false;
        if (_inLen + n > _in.Length) Array.Resize(ref _in, Math.Max(_in.Length * 2, _inLen + n));
        tmp[..n].CopyTo(_in.AsSpan(_inLen));
        _inLen += n;
        int pos = 0;
        while (_inLen - pos >= ShimProtocol.HeaderSize)
        {
            int len = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(_in.AsSpan(pos + 1));
            if (len < 0 || len > ShimProtocol.MaxFrame) return false;
            if (_inLen - pos - ShimProtocol.HeaderSize < len) break;
            frames.Add((_in[pos], _in.AsSpan(pos + ShimProtocol.HeaderSize, len).ToArray()));
            pos += ShimProtocol.HeaderSize + len;
        }
        if (pos > 0)
        {
            _in.AsSpan(pos, _inLen - pos).CopyTo(_in);
            _inLen -= pos;
        }
        return true;
    }

    public void Close()
    {
        if (Fd >= 0) Native.close(Fd);
        Fd = -1;
        _out.Clear();
        Backlog = 0;
    }
}
