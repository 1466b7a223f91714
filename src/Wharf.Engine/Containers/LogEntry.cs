namespace Wharf.Engine.Containers;

/// <summary>One log record: Stream 1 stdout / 2 stderr; Data already carries the timestamp prefix when asked for.</summary>
public readonly record struct LogEntry(int Stream, DateTimeOffset Time, ReadOnlyMemory<byte> Data);
