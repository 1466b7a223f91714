namespace Wharf.Api.Exec;

/// <summary>Answer of <c>GET /exec/{id}/json</c>, in moby's field order.</summary>
public sealed class ExecInspectResponse
{
    public string ID { get; set; } = "";
    public bool Running { get; set; }
    /// <summary>null until the process exited.</summary>
    public int? ExitCode { get; set; }
    public ExecProcessConfig ProcessConfig { get; set; } = new();
    public bool OpenStdin { get; set; }
    public bool OpenStderr { get; set; }
    public bool OpenStdout { get; set; }
    public bool CanRemove { get; set; }
    public string ContainerID { get; set; } = "";
    public string DetachKeys { get; set; } = "";
    public int Pid { get; set; }
}
