namespace Wharf.Api.Events;

/// <summary>The object an event is about: its id and descriptive attributes (name, image, labels, exitCode…).</summary>
public sealed class EventActor
{
    public string ID { get; set; } = "";
    public Dictionary<string, string> Attributes { get; set; } = [];
}
