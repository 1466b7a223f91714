namespace Wharf.Engine.Containers;

/// <summary>A piece of container output for an attached client: Stream 1 stdout, 2 stderr (TTY: always 1).</summary>
public readonly record struct AttachChunk(int Stream, ReadOnlyMemory<byte> Data);
