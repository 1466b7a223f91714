using System.Globalization;
using Wharf.Core;

namespace Wharf.Daemon.Http;

/// <summary>Base for the read-only request body streams.</summary>
internal abstract class ReadOnlyBodyStream : ReadOnlyStream
{
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads and discards what is left so the connection can serve the next request.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var buf = new byte[8192];
        while (await ReadAsync(buf, ct) > 0) { }
    }
}

/// <summary>A body of known length (Content-Length).</summary>
internal sealed class LengthBodyStream(ConnectionReader reader, long length) : ReadOnlyBodyStream
{
    private long _remaining = length;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0 || buffer.Length == 0) return 0;
        if (buffer.Length > _remaining) buffer = buffer[..(int)_remaining];
        int n = await reader.ReadAsync(buffer, cancellationToken);
        if (n == 0) throw new IOException("client closed the connection in the middle of the request body");
        _remaining -= n;
        return n;
    }
}

/// <summary>A Transfer-Encoding: chunked body (docker cp, Docker.DotNet streams).</summary>
internal sealed class ChunkedBodyStream(ConnectionReader reader) : ReadOnlyBodyStream
{
    private long _chunkLeft;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0) return 0;
        if (_chunkLeft == 0)
        {
            var line = await reader.ReadLineAsync(1024, cancellationToken) ?? throw new IOException("unexpected end of chunked body");
            int semi = line.IndexOf(';');
            if (semi >= 0) line = line[..semi];
            if (!long.TryParse(line.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _chunkLeft) || _chunkLeft < 0)
                throw new InvalidDataException("malformed chunk size in request body");
            if (_chunkLeft == 0)
            {
                // Trailers end with an empty line.
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(8192, cancellationToken))) { }
                _done = true;
                return 0;
            }
        }
        if (buffer.Length > _chunkLeft) buffer = buffer[..(int)_chunkLeft];
        int n = await reader.ReadAsync(buffer, cancellationToken);
        if (n == 0) throw new IOException("client closed the connection in the middle of the request body");
        _chunkLeft -= n;
        if (_chunkLeft == 0) await reader.ReadLineAsync(16, cancellationToken);
        return n;
    }
}
