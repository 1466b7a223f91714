namespace Wharf.Api.Containers;

/// <summary>State.Health: present only when the container has a healthcheck.</summary>
public sealed class Health
{
    /// <summary>none, starting, healthy, unhealthy.</summary>
    public string Status { get; set; } = "";
    public int FailingStreak { get; set; }
    public List<HealthcheckResult>? Log { get; set; }
}
