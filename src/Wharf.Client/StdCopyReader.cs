using System.Buffers.Binary;
using System.Text;

namespace Wharf.Client;

/// <summary>
/// Reads Docker's stdcopy framing (non-TTY attach, logs, exec): an 8-byte header
/// <c>[stream, 0, 0, 0, size(big-endian uint32)]</c> followed by <c>size</c> payload bytes.
/// Tolerates headers and payloads split across reads; frames larger than the buffer are handed out in pieces.
/// </summary>
public sealed class StdCopyReader
{
    public const int HeaderSize = 8;

    private const int DefaultChunk = 32 * 1024;

    // A SystemErr payload is the daemon's error text; cap it so a corrupt stream cannot make us allocate gigabytes.
    private const int MaxSystemErrSize = 1024 * 1024;

    private readonly Stream _source;
    private readonly byte[] _header = new byte[HeaderSize];
    private readonly byte[] _buffer;
    private StdStream _current;
    private long _remaining;

    public StdCopyReader(Stream source, int chunkSize = DefaultChunk)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        _source = source;
        _buffer = new byte[chunkSize];
    }

    /// <summary>
    /// Returns the next piece of payload, or null at the end of the stream. An end of stream inside a header or
    /// payload ends the stream quietly, as moby's client does. A SystemErr frame is returned whole.
    /// </summary>
    public async ValueTask<StdFrame?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (_remaining == 0)
        {
            var got = await ReadFullyAsync(_header, cancellationToken).ConfigureAwait(false);
            if (got < HeaderSize)
            {
                return null;
            }

            var id = _header[0];
            if (id > (byte)StdStream.SystemErr)
            {
                throw new InvalidDataException($"Unrecognized input header: {id}");
            }

            _current = (StdStream)id;
            _remaining = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
            if (_current == StdStream.SystemErr)
            {
                return await ReadSystemErrAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var want = (int)Math.Min(_remaining, _buffer.Length);
        var n = await _source.ReadAsync(_buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            _remaining = 0;
            return null;
        }

        _remaining -= n;
        return new StdFrame(_current, _buffer.AsMemory(0, n));
    }

    /// <summary>
    /// Copies stdout and stderr payloads to the given streams until the end of the source. A SystemErr frame
    /// throws <see cref="DockerStreamException"/> ("error from daemon in stream: …").
    /// </summary>
    public async Task CopyToAsync(Stream stdout, Stream stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            switch (frame.Stream)
            {
                case StdStream.SystemErr:
                    throw new DockerStreamException("error from daemon in stream: " + Encoding.UTF8.GetString(frame.Payload.Span));
                case StdStream.Stderr:
                    await stderr.WriteAsync(frame.Payload, cancellationToken).ConfigureAwait(false);
                    await stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    // moby's StdCopy sends stdin-tagged frames to stdout as well.
                    await stdout.WriteAsync(frame.Payload, cancellationToken).ConfigureAwait(false);
                    await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async ValueTask<StdFrame?> ReadSystemErrAsync(CancellationToken cancellationToken)
    {
        var size = (int)Math.Min(_remaining, MaxSystemErrSize);
        var payload = new byte[size];
        var got = await ReadFullyAsync(payload, cancellationToken).ConfigureAwait(false);
        _remaining = 0;
        return new StdFrame(StdStream.SystemErr, payload.AsMemory(0, got));
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < target.Length)
        {
            var n = await _source.ReadAsync(target[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
