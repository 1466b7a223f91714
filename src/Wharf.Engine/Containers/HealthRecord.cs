namespace Wharf.Engine.Containers;

/// <summary>State.Health of a container with a healthcheck, persisted with its record.</summary>
public sealed class HealthRecord
{
    /// <summary>starting, healthy or unhealthy.</summary>
    public string Status { get; set; } = HealthRules.Starting;
    public int FailingStreak { get; set; }
    /// <summary>The last <see cref="HealthRules.MaxLogEntries"/> probe results, oldest first.</summary>
    public List<HealthProbe> Log { get; set; } = [];
}
