using System.Text;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Shim;

/// <summary>
/// Writes Docker's json-file log: one <c>{"log":…,"stream":…,"time":…}</c> object per line of output,
/// byte-compatible with moby's jsonlog (Go encoding/json string escaping incl. &lt; &gt; &amp; as \u00XX,
/// invalid UTF-8 as U+FFFD, RFC3339Nano time with trailing zeros trimmed). Rotation follows moby's
/// loggerutils: before a write, when the live file has reached max-size, shift .1 … .(n-1) and start anew.
/// Writes are synchronous on an O_APPEND fd so a reader (docker logs -f) sees whole lines.
/// </summary>
internal sealed class JsonLogWriter : IDisposable
{
    private static readonly byte[] StdoutTail = "\",\"stream\":\"stdout\",\"time\":\""u8.ToArray();
    private static readonly byte[] StderrTail = "\",\"stream\":\"stderr\",\"time\":\""u8.ToArray();
    private static readonly byte[] Hex = "0123456789abcdef"u8.ToArray();

    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private int _fd = -1;
    private long _size;
    private byte[] _buf = new byte[4096];
    private int _len;

    public JsonLogWriter(string path, long maxSize, int maxFiles)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFiles = Math.Max(1, maxFiles);
        Open(truncate: false);
    }

    private void Open(bool truncate)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        int flags = Native.O_WRONLY | Native.O_CREAT | Native.O_APPEND | Native.O_CLOEXEC | (truncate ? Native.O_TRUNC : 0);
        _fd = Native.open(_path, flags, Convert.ToInt32("640", 8));
        if (_fd < 0) throw new IOException($"open {_path}: errno {Native.LastErrno}");
        _size = truncate ? 0 : new FileInfo(_path).Length;
    }

    /// <summary>Logs one chunk read from the container: each line its own entry, a trailing partial line as is.</summary>
    public void Write(int stream, ReadOnlySpan<byte> data, long unixNanos)
    {
        while (!data.IsEmpty)
        {
            int nl = data.IndexOf((byte)'\n');
            var line = nl < 0 ? data : data[..(nl + 1)];
            WriteEntry(stream, line, unixNanos);
            data = data[line.Length..];
        }
    }

    private void WriteEntry(int stream, ReadOnlySpan<byte> line, long unixNanos)
    {
        if (_maxSize > 0 && _size >= _maxSize) Rotate();
        _len = 0;
        Append("{\"log\":\""u8);
        AppendEscaped(line);
        Append(stream == 2 ? StderrTail : StdoutTail);
        AppendTime(unixNanos);
        Append("\"}\n"u8);
        // Disk full or similar: the container must keep running; the entry is lost.
        if (Native.WriteAll(_fd, _buf.AsSpan(0, _len)) != 0) return;
        _size += _len;
    }

    private void Rotate()
    {
        Native.close(_fd);
        _fd = -1;
        if (_maxFiles > 1)
        {
            for (int i = _maxFiles - 1; i > 1; i--)
            {
                var from = _path + "." + (i - 1);
                if (File.Exists(from)) NativeFile.Rename(from, _path + "." + i);
            }
            NativeFile.Rename(_path, _path + ".1");
        }
        Open(truncate: true);
    }

    private void Ensure(int extra)
    {
        if (_len + extra <= _buf.Length) return;
        Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + extra));
    }

    private void Append(ReadOnlySpan<byte> s)
    {
        Ensure(s.Length);
        s.CopyTo(_buf.AsSpan(_len));
        _len += s.Length;
    }

    private void AppendEscaped(ReadOnlySpan<byte> s)
    {
        Ensure(s.Length * 6 + 16);
        int i = 0;
        while (i < s.Length)
        {
            byte b = s[i];
            if (b < 0x80)
            {
                switch (b)
                {
                    case (byte)'"': _buf[_len++] = (byte)'\\'; _buf[_len++] = (byte)'"'; break;
                    case (byte)'\\': _buf[_len++] = (byte)'\\'; _buf[_len++] = (byte)'\\'; break;
                    case (byte)'\n': _buf[_len++] = (byte)'\\'; _buf[_len++] = (byte)'n'; break;
                    case (byte)'\r': _buf[_len++] = (byte)'\\'; _buf[_len++] = (byte)'r'; break;
                    case (byte)'\t': _buf[_len++] = (byte)'\\'; _buf[_len++] = (byte)'t'; break;
                    default:
                        if (b < 0x20 || b == '<' || b == '>' || b == '&') AppendU(b);
                        else _buf[_len++] = b;
                        break;
                }
                i++;
                continue;
            }
            var status = Rune.DecodeFromUtf8(s[i..], out var rune, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                // Go writes \ufffd for each invalid byte and resynchronises on the next one.
                Append("\\ufffd"u8);
                i++;
                continue;
            }
            if (rune.Value == 0x2028 || rune.Value == 0x2029) AppendU(rune.Value);
            else
            {
                s.Slice(i, consumed).CopyTo(_buf.AsSpan(_len));
                _len += consumed;
            }
            i += consumed;
        }
    }

    private void AppendU(int v)
    {
        _buf[_len++] = (byte)'\\';
        _buf[_len++] = (byte)'u';
        _buf[_len++] = Hex[(v >> 12) & 0xf];
        _buf[_len++] = Hex[(v >> 8) & 0xf];
        _buf[_len++] = Hex[(v >> 4) & 0xf];
        _buf[_len++] = Hex[v & 0xf];
    }

    /// <summary>Go's RFC3339Nano in UTC: fraction with trailing zeros removed (and no dot when zero).</summary>
    private void AppendTime(long unixNanos)
    {
        Ensure(Rfc3339.MaxLength);
        _len += Rfc3339.Write(unixNanos, _buf.AsSpan(_len));
    }

    public void Dispose()
    {
        if (_fd >= 0) Native.close(_fd);
        _fd = -1;
    }
}
