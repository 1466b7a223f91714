namespace Wharf.Engine.Containers;

/// <summary>The persisted run state of a container.</summary>
public sealed class ContainerStateRecord
{
    public string Status { get; set; } = ContainerStatus.Created;
    public int Pid { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public bool OomKilled { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    /// <summary>Set while a removal runs; a record found with it at start-up is finished off.</summary>
    public bool RemovalInProgress { get; set; }
    /// <summary>Stopped or killed by a user since its last start: restart policies hold off
    /// ("unless-stopped" also across daemon restarts).</summary>
    public bool ManuallyStopped { get; set; }

    /// <summary>Set once a container with a healthcheck has started; null without a healthcheck.</summary>
    public HealthRecord? Health { get; set; }

    public bool IsRunning => Status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Restarting;
}
