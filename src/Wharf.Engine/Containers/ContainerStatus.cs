namespace Wharf.Engine.Containers;

/// <summary>The lowercase State.Status values of the Engine API.</summary>
public static class ContainerStatus
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Restarting = "restarting";
    public const string Removing = "removing";
    public const string Exited = "exited";
    public const string Dead = "dead";

    public static readonly IReadOnlyList<string> All = [Created, Restarting, Running, Removing, Paused, Exited, Dead];
}
