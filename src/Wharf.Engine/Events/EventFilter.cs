using Wharf.Api.Events;
using Wharf.Core;

namespace Wharf.Engine.Events;

/// <summary>
/// moby's events filter (daemon/events/filter.go): values of one key are OR-ed, keys are AND-ed.
/// container/image match by full id, id prefix or name; label matches Actor.Attributes by key or key=value;
/// event also matches the part of an action before ":" (health_status: healthy).
/// </summary>
public sealed class EventFilter
{
    private static readonly HashSet<string> Accepted = new(StringComparer.Ordinal)
    {
        "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret",
        "service", "type", "volume", "config",
    };

    private readonly IReadOnlyDictionary<string, List<string>> _filters;

    public static EventFilter None { get; } = new(new Dictionary<string, List<string>>());

    private EventFilter(IReadOnlyDictionary<string, List<string>> filters) => _filters = filters;

    /// <summary>Validates the keys of already decoded <c>filters</c>; an unknown key is a 400 as in moby.</summary>
    public static EventFilter Parse(IReadOnlyDictionary<string, List<string>>? filters)
    {
        if (filters is null || filters.Count == 0) return None;
        foreach (var key in filters.Keys)
            if (!Accepted.Contains(key)) throw WharfException.Invalid($"invalid filter '{key}'");
        return new EventFilter(filters.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    public bool Matches(EventMessage m)
    {
        string? name = m.Actor.Attributes.GetValueOrDefault("name");
        return Any("type", v => v == m.Type)
            && Any("event", v => v == m.Action || m.Action.StartsWith(v + ":", StringComparison.Ordinal))
            && Any("scope", v => v == m.Scope)
            && Any("container", v => m.Type == "container" && NameOrId(v, m.Actor.ID, name))
            && Any("image", v => MatchImage(v, m))
            && Any("network", v => m.Type == "network" && NameOrId(v, m.Actor.ID, name))
            && Any("volume", v => m.Type == "volume" && NameOrId(v, m.Actor.ID, name))
            && Any("label", v => MatchLabel(v, m.Actor.Attributes));
    }

    /// <summary>True when the key is absent, else when any of its values satisfies the predicate.</summary>
    private bool Any(string key, Func<string, bool> predicate) =>
        !_filters.TryGetValue(key, out var values) || values.Any(predicate);

    private static bool NameOrId(string v, string id, string? name) =>
        v.Length > 0 && (id.StartsWith(v, StringComparison.Ordinal) || name == v || name == v.TrimStart('/'));

    private static bool MatchImage(string v, EventMessage m)
    {
        string? image = m.Type == "image" ? m.Actor.Attributes.GetValueOrDefault("name") ?? m.Actor.ID
            : m.Actor.Attributes.GetValueOrDefault("image");
        if (image is null) return false;
        if (image == v || (m.Type == "image" && m.Actor.ID == v)) return true;
        // "busybox" matches "busybox:latest" and the other way round, as moby compares without the tag.
        return StripTag(image) == StripTag(v);
    }

    private static string StripTag(string reference)
    {
        int at = reference.IndexOf('@');
        if (at >= 0) reference = reference[..at];
        int colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[..colon] : reference;
    }

    private static bool MatchLabel(string v, IReadOnlyDictionary<string, string> attributes)
    {
        int eq = v.IndexOf('=');
        if (eq < 0) return attributes.ContainsKey(v);
        return attributes.TryGetValue(v[..eq], out var actual) && actual == v[(eq + 1)..];
    }
}
