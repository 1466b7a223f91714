namespace Wharf.Api.Containers;

/// <summary>Name: "", "no", "always", "unless-stopped", "on-failure".</summary>
public sealed class RestartPolicy
{
    public string Name { get; set; } = "";
    public int MaximumRetryCount { get; set; }
}
