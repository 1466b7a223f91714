namespace Wharf.Engine.Containers;

/// <summary>One healthcheck run: exit code 0 is healthy, anything else (-1 for a timeout) a failure.</summary>
public sealed record HealthProbe(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);
