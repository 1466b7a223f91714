namespace Wharf.Api.Containers;

public sealed class HealthcheckResult
{
    public string Start { get; set; } = "";
    public string End { get; set; } = "";
    public int ExitCode { get; set; }
    public string Output { get; set; } = "";
}
