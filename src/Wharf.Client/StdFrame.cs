namespace Wharf.Client;

/// <summary>
/// A piece of one multiplexed frame. Large frames arrive as several pieces with the same stream; the payload
/// memory is only valid until the next read.
/// </summary>
public readonly record struct StdFrame(StdStream Stream, ReadOnlyMemory<byte> Payload);
