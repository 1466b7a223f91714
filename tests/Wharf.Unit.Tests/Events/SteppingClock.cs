namespace Wharf.Unit.Tests.Events;

/// <summary>A clock the test sets by hand; timers still run on real time (only short deadlines are used).</summary>
internal sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}
