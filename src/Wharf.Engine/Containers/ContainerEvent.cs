namespace Wharf.Engine.Containers;

/// <summary>A container lifecycle event for <c>/events</c> (moby actions: create, start, kill, die, stop, destroy).</summary>
/// <param name="Name">Name without the leading "/".</param>
/// <param name="Image">Config.Image as the client gave it.</param>
/// <param name="ExitCode">Set for "die".</param>
/// <param name="Signal">Set for "kill".</param>
/// <param name="Attributes">Further actor attributes (exec events: execID).</param>
public sealed record ContainerEvent(string Action, string Id, string Name, string Image,
    IReadOnlyDictionary<string, string>? Labels, int? ExitCode = null, int? Signal = null,
    IReadOnlyDictionary<string, string>? Attributes = null);
