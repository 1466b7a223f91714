using Wharf.Api.Events;

namespace Wharf.Engine.Networks;

/// <summary>moby's network event message: actor = network id, attributes name, type and (connect/disconnect) container.</summary>
public static class NetworkEvents
{
    public static EventMessage ToMessage(NetworkEvent e)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = e.Name, ["type"] = e.Driver };
        if (e.ContainerId is not null) attributes["container"] = e.ContainerId;
        return new EventMessage { Type = "network", Action = e.Action, Actor = new EventActor { ID = e.NetworkId, Attributes = attributes } };
    }
}
