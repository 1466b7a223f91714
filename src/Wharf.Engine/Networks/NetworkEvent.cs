namespace Wharf.Engine.Networks;

/// <summary>A network event for <c>/events</c> (moby actions: create, connect, disconnect, destroy).</summary>
public sealed record NetworkEvent(string Action, string NetworkId, string Name, string Driver, string? ContainerId = null);
